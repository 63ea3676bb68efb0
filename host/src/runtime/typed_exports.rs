//! Calls into a typed kind's own interface: JSON parameters mapped onto the function's types
//! as `Val`s, the function called dynamically, its result mapped back to JSON.

use super::grain_state::GrainState;
use crate::typed::{TypedInterface, from_json, to_json};
use wasmtime::Store;
use wasmtime::component::{Instance, Val};

/// Calls the function `method` names on `instance` with the JSON parameters in `payload`.
/// `Ok(Err)` is a call that does not fit (checked before sending too, so only a call racing a
/// reload gets it here); `Err` a fault of the guest.
pub async fn call(
    store: &mut Store<GrainState>,
    instance: &Instance,
    interface: &TypedInterface,
    method: &str,
    payload: &[u8],
) -> wasmtime::Result<Result<Vec<u8>, String>> {
    let function = match interface.function(method) {
        Ok(function) => function,
        Err(why) => return Ok(Err(why)),
    };
    let params = match from_json::params(&function.shape, payload) {
        Ok(params) => params,
        Err(mismatch) => return Ok(Err(mismatch.to_string())),
    };
    let func = instance
        .get_func(&mut *store, function.export)
        .ok_or_else(|| wasmtime::format_err!("the instance lacks {}.{}", function.interface, function.shape.name))?;
    let mut results = vec![Val::Bool(false); usize::from(function.shape.result.is_some())];
    func.call_async(&mut *store, &params, &mut results).await?;
    Ok(Ok(to_json::reply(&results)))
}
