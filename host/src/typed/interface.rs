//! A typed kind's exported interfaces as the node holds them with the version: each function's
//! shape and where it sits in the component, and the interfaces' WIT.

use super::from_json;
use super::shape::{FunctionShape, InterfaceShape};
use wasmtime::Engine;
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, ComponentExportIndex};

/// Names of the platform's own interfaces: never a kind's typed interface.
const PLATFORM_PREFIXES: [&str; 2] = ["granary:grain/", "wasi:"];

/// Whether `name` (an import or export) is an interface of a kind's own package
/// (`namespace:package/interface`), not the platform's nor a toolchain's plain-named
/// instance (componentize-py exports one named `exports`).
pub fn is_kind_interface(name: &str) -> bool {
    name.contains(':') && name.contains('/') && !PLATFORM_PREFIXES.iter().any(|prefix| name.starts_with(prefix))
}

/// One exported function: its shape, its interface, and its index in the component.
pub struct FunctionRef {
    /// Its parameters and result.
    pub shape: FunctionShape,
    /// The interface's short name (`counter`).
    pub interface: String,
    /// Where the function is among the component's exports.
    pub export: ComponentExportIndex,
}

/// The interfaces a typed kind exports.
pub struct TypedInterface {
    interfaces: Vec<InterfaceShape>,
    functions: Vec<FunctionRef>,
    wit: String,
}

impl TypedInterface {
    /// The typed interfaces `component` exports, `Ok(None)` if none; `bytes` are the
    /// component's, for its WIT. `Err` says why an interface cannot be called with typed values.
    pub fn read(component: &Component, bytes: &[u8], engine: &Engine) -> Result<Option<Self>, String> {
        let mut interfaces = Vec::new();
        let mut functions = Vec::new();
        for (name, export) in component.component_type().exports(engine) {
            let ComponentItem::ComponentInstance(instance) = &export.ty else { continue };
            if !is_kind_interface(name) {
                continue;
            }
            let shape = InterfaceShape::of(name, instance, engine)?;
            let (_, interface_index) =
                component.get_export(None, name).ok_or_else(|| format!("export {name} has no index"))?;
            for function in &shape.functions {
                let (_, export) = component
                    .get_export(Some(&interface_index), &function.name)
                    .ok_or_else(|| format!("export {name}.{} has no index", function.name))?;
                functions.push(FunctionRef {
                    shape: function.clone(),
                    interface: shape.short_name().to_string(),
                    export,
                });
            }
            interfaces.push(shape);
        }
        if interfaces.is_empty() {
            return Ok(None);
        }
        let wit = super::describe::exported_wit(bytes)?.unwrap_or_default();
        Ok(Some(TypedInterface { interfaces, functions, wit }))
    }

    /// The exported interfaces.
    pub fn interfaces(&self) -> &[InterfaceShape] {
        &self.interfaces
    }

    /// The interfaces as WIT.
    pub fn wit(&self) -> &str {
        &self.wit
    }

    /// The function `method` names: `add`, or `counter.add` where two interfaces have an `add`.
    pub fn function(&self, method: &str) -> Result<&FunctionRef, String> {
        let (interface, name) =
            method.split_once('.').map_or((None, method), |(interface, name)| (Some(interface), name));
        let mut matching = self.functions.iter().filter(|function| {
            function.shape.name == name && interface.is_none_or(|wanted| function.interface == wanted)
        });
        match (matching.next(), matching.next()) {
            (Some(function), None) => Ok(function),
            (Some(_), Some(_)) => {
                Err(format!("{method:?} is exported by more than one interface: say which, as INTERFACE.{name}"))
            }
            (None, _) => {
                let known: Vec<String> = self
                    .functions
                    .iter()
                    .map(|function| format!("{}.{}", function.interface, function.shape.name))
                    .collect();
                Err(format!("no function {method:?} (it exports: {})", known.join(", ")))
            }
        }
    }

    /// Checks that `payload` holds the parameters of the function `method` names, before a
    /// message is sent: the grain never sees a call that does not fit.
    pub fn check_call(&self, method: &str, payload: &[u8]) -> Result<(), String> {
        let function = self.function(method)?;
        from_json::params(&function.shape, payload).map(drop).map_err(|mismatch| mismatch.to_string())
    }
}
