//! Typed interfaces a grain imports from other kinds (`import example:typed-counter/counter`):
//! the node satisfies each such import with functions defined from its types, which forward
//! every call as a message to the grain `typed-calls.bind` chose for that interface. The
//! parameters travel as the JSON object a client would send, so routing, forwarding between
//! members, cycle detection and deadlines are those of any `call`.

use super::grain_state::GrainState;
use crate::typed::{FunctionShape, InterfaceShape, from_json, is_kind_interface, to_json};
use std::sync::Arc;
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Linker, Val};
use wasmtime::{Engine, StoreContextMut};

/// The interfaces `component` imports that are neither WASI's nor the contract's.
pub fn typed_imports(component: &Component, engine: &Engine) -> Result<Vec<InterfaceShape>, String> {
    let mut imports = Vec::new();
    for (name, import) in component.component_type().imports(engine) {
        if let ComponentItem::ComponentInstance(instance) = &import.ty
            && is_kind_interface(name)
        {
            imports.push(InterfaceShape::of(name, instance, engine)?);
        }
    }
    Ok(imports)
}

/// `linker` with every interface in `imports` defined as forwarding functions.
pub fn link(linker: &Linker<GrainState>, imports: &[InterfaceShape]) -> wasmtime::Result<Linker<GrainState>> {
    let mut linker = linker.clone();
    for interface in imports {
        let mut instance = linker.instance(&interface.name)?;
        for function in &interface.functions {
            let (interface, function) = (Arc::new(interface.clone()), Arc::new(function.clone()));
            instance.func_new_async(&function.name.clone(), move |store, _ty, params, results| {
                let (interface, function) = (Arc::clone(&interface), Arc::clone(&function));
                Box::new(async move { forward(store, &interface, &function, params, results).await })
            })?;
        }
    }
    Ok(linker)
}

/// Sends the call to the grain bound for `interface` and lifts its JSON reply into `results`.
/// Anything short of a reply traps the calling turn: the imported function has no error case.
async fn forward(
    mut store: StoreContextMut<'_, GrainState>,
    interface: &InterfaceShape,
    function: &FunctionShape,
    params: &[Val],
    results: &mut [Val],
) -> wasmtime::Result<()> {
    let name = format!("{}.{}", interface.short_name(), function.name);
    let state = store.data_mut();
    let target = state.typed_targets.get(&interface.name).cloned().ok_or_else(|| {
        wasmtime::format_err!("{name}: no grain is bound for {}: call typed-calls.bind first", interface.name)
    })?;
    let (target, origin) = state.outgoing_to(target);
    let payload = to_json::object(function.params.iter().map(|(param, _)| param.as_str()), params);
    let payload = serde_json::to_vec(&payload)?;
    let host = Arc::clone(&state.host);
    let reply = host
        .call(&target, name.clone(), payload, origin)
        .await
        .map_err(|e| wasmtime::format_err!("typed call {name} to {target}: {e}"))?;
    if let (Some(ty), Some(slot)) = (&function.result, results.first_mut()) {
        let json: serde_json::Value = serde_json::from_slice(&reply)
            .map_err(|e| wasmtime::format_err!("typed call {name} to {target}: the reply is not JSON: {e}"))?;
        *slot = from_json::value(ty, &json)
            .map_err(|m| wasmtime::format_err!("typed call {name} to {target}: the reply does not fit: {m}"))?;
    }
    Ok(())
}
