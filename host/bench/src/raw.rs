//! The floor Granary is measured against: the same component run by a plain wasmtime host
//! (same engine settings, no actor system), called through typed functions.

use super::setup::pool;
use std::time::Duration;
use wasmtime::Store;
use wasmtime::component::{Component, InstancePre, Linker, TypedFunc};

type Handle = TypedFunc<(String, Vec<u8>), (Result<Vec<u8>, String>,)>;

pub struct RawHost {
    engine: wasmtime::Engine,
    pre: InstancePre<()>,
}

/// One instantiated component, `activate` already run.
pub struct RawGrain {
    store: Store<()>,
    handle: Handle,
}

impl RawHost {
    /// Compiles `component` on an engine of `activations` pool slots. Host functions other
    /// than state are never called by the methods measured, so they trap if they are.
    pub fn new(component: &[u8], activations: u32) -> anyhow::Result<RawHost> {
        let engine = granary::runtime::build_engine(&pool(activations))?;
        let component = Component::new(&engine, component)?;
        let mut linker = Linker::<()>::new(&engine);
        // Both versions of the contract have the same `host`; a component imports one.
        for version in ["0.1.0", "0.2.0"] {
            let mut host = linker.instance(&format!("granary:grain/host@{version}"))?;
            host.func_wrap("load-state", |_, (): ()| Ok((None::<Vec<u8>>,)))?;
            host.func_wrap("save-state", |_, (_state,): (Vec<u8>,)| Ok((Ok::<(), String>(()),)))?;
        }
        linker.define_unknown_imports_as_traps(&component)?;
        let pre = linker.instantiate_pre(&component)?;
        Ok(RawHost { engine, pre })
    }

    /// A store, an instance, `activate` run: the raw equivalent of an activation.
    pub async fn activate(&self) -> anyhow::Result<RawGrain> {
        let mut store = Store::new(&self.engine, ());
        store.set_epoch_deadline(u64::MAX / 2);
        let instance = self.pre.instantiate_async(&mut store).await?;
        let activate = instance.get_typed_func::<(), ()>(&mut store, "activate")?;
        activate.call_async(&mut store, ()).await?;
        let handle = instance.get_typed_func(&mut store, "handle")?;
        Ok(RawGrain { store, handle })
    }
}

impl RawGrain {
    /// Runs `handle(method, payload)`; the guest's error result is an error here.
    pub async fn call(&mut self, method: &str, payload: &[u8]) -> anyhow::Result<Vec<u8>> {
        let (reply,) = self.handle.call_async(&mut self.store, (method.to_string(), payload.to_vec())).await?;
        reply.map_err(|e| anyhow::anyhow!("{method}: {e}"))
    }
}

/// Times `calls` sequential `get`s on one raw grain.
pub async fn sequential_gets(grain: &mut RawGrain, calls: usize) -> anyhow::Result<Vec<Duration>> {
    let mut samples = Vec::with_capacity(calls);
    for _ in 0..calls {
        let start = std::time::Instant::now();
        grain.call("get", b"").await?;
        samples.push(start.elapsed());
    }
    Ok(samples)
}
