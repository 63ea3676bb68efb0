//! Which world and version of the contract a component targets, and its exports called alike
//! whichever it is. A component of 0.2.0 exports `receive-reminder` and `receive-event` beside
//! the lifecycle functions; one of 0.1.0 exports only those three; a typed kind (0.2.0's
//! `typed-grain`) exports `activate`, `deactivate` and an interface of its own.

use super::bindings::{typed, v1, v2};
use super::grain_state::GrainState;
use super::typed_exports;
use crate::node_message::EventDelivery;
use crate::typed::TypedInterface;
use std::sync::Arc;
use wasmtime::Store;
use wasmtime::component::{Instance, InstancePre};

/// The export only a 0.2.0 component has.
pub const RECEIVE_REMINDER: &str = "receive-reminder";

/// A kind's pre-linked component, of the version it was built against.
pub enum WorldPre {
    /// `granary:grain@0.1.0`.
    V1(v1::GrainPre<GrainState>),
    /// `granary:grain@0.2.0`.
    V2(v2::GrainPre<GrainState>),
    /// `granary:grain/typed-grain@0.2.0`, with the interfaces it exports.
    Typed(typed::TypedGrainPre<GrainState>, Arc<TypedInterface>),
}

/// An instance's typed exports.
pub enum WorldExports {
    /// `granary:grain@0.1.0`.
    V1(v1::Grain),
    /// `granary:grain@0.2.0`.
    V2(v2::Grain),
    /// A typed kind: its lifecycle exports, and the instance its interface is called on.
    Typed(typed::TypedGrain, Instance, Arc<TypedInterface>),
}

impl WorldPre {
    /// Types the exports of `pre`: a typed kind's when it exports `interface`, else 0.2.0's
    /// when the component has `receive-reminder`, else 0.1.0's.
    pub fn new(
        pre: InstancePre<GrainState>,
        exports: &[String],
        interface: Option<Arc<TypedInterface>>,
    ) -> wasmtime::Result<Self> {
        if let Some(interface) = interface {
            Ok(WorldPre::Typed(typed::TypedGrainPre::new(pre)?, interface))
        } else if exports.iter().any(|export| export == RECEIVE_REMINDER) {
            Ok(WorldPre::V2(v2::GrainPre::new(pre)?))
        } else {
            Ok(WorldPre::V1(v1::GrainPre::new(pre)?))
        }
    }

    /// Instantiates it in `store`.
    pub async fn instantiate(&self, store: &mut Store<GrainState>) -> wasmtime::Result<WorldExports> {
        Ok(match self {
            WorldPre::V1(pre) => WorldExports::V1(pre.instantiate_async(store).await?),
            WorldPre::V2(pre) => WorldExports::V2(pre.instantiate_async(store).await?),
            WorldPre::Typed(pre, interface) => {
                let instance = pre.instance_pre().instantiate_async(&mut *store).await?;
                WorldExports::Typed(typed::TypedGrain::new(&mut *store, &instance)?, instance, Arc::clone(interface))
            }
        })
    }
}

impl WorldExports {
    /// Runs `activate`.
    pub async fn activate(&self, store: &mut Store<GrainState>) -> wasmtime::Result<()> {
        match self {
            WorldExports::V1(grain) => grain.call_activate(store).await,
            WorldExports::V2(grain) => grain.call_activate(store).await,
            WorldExports::Typed(grain, ..) => grain.call_activate(store).await,
        }
    }

    /// Runs `handle`, or for a typed kind the function `method` names with the JSON
    /// parameters in `payload` (its JSON result is the reply).
    pub async fn handle(
        &self,
        store: &mut Store<GrainState>,
        method: &str,
        payload: &[u8],
    ) -> wasmtime::Result<Result<Vec<u8>, String>> {
        match self {
            WorldExports::V1(grain) => grain.call_handle(store, method, payload).await,
            WorldExports::V2(grain) => grain.call_handle(store, method, payload).await,
            WorldExports::Typed(_, instance, interface) => {
                typed_exports::call(store, instance, interface, method, payload).await
            }
        }
    }

    /// Runs `receive-reminder`; a 0.1.0 component has none, which is the guest's error.
    pub async fn receive_reminder(
        &self,
        store: &mut Store<GrainState>,
        name: &str,
        tick: u64,
    ) -> wasmtime::Result<Result<(), String>> {
        match self {
            WorldExports::V1(_) => {
                Ok(Err("this kind targets granary:grain@0.1.0, which has no receive-reminder".to_string()))
            }
            WorldExports::Typed(..) => Ok(Err("a typed kind has no receive-reminder".to_string())),
            WorldExports::V2(grain) => grain.call_receive_reminder(store, name, tick).await,
        }
    }

    /// Runs `receive-event`; a 0.1.0 component has none, which is the guest's error.
    pub async fn receive_event(
        &self,
        store: &mut Store<GrainState>,
        event: EventDelivery,
    ) -> wasmtime::Result<Result<(), String>> {
        match self {
            WorldExports::V1(_) => {
                Ok(Err("this kind targets granary:grain@0.1.0, which has no receive-event".to_string()))
            }
            WorldExports::Typed(..) => Ok(Err("a typed kind has no receive-event".to_string())),
            WorldExports::V2(grain) => {
                let EventDelivery { topic, key, sequence, payload } = event;
                grain
                    .call_receive_event(store, &v2::granary::grain::topics::Event { topic, key, sequence, payload })
                    .await
            }
        }
    }

    /// Runs `deactivate`.
    pub async fn deactivate(&self, store: &mut Store<GrainState>) -> wasmtime::Result<()> {
        match self {
            WorldExports::V1(grain) => grain.call_deactivate(store).await,
            WorldExports::V2(grain) => grain.call_deactivate(store).await,
            WorldExports::Typed(grain, ..) => grain.call_deactivate(store).await,
        }
    }
}
