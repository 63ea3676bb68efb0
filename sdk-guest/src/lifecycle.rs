//! Holds the activation's grain value between the exported lifecycle calls.

use crate::Grain;
use std::any::Any;
use std::cell::RefCell;

thread_local! {
    static GRAIN: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

pub fn activate<G: Grain>() {
    let grain = G::activate();
    GRAIN.with(|slot| *slot.borrow_mut() = Some(Box::new(grain)));
}

pub fn handle<G: Grain>(method: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
    with::<G, _>(|grain| grain.handle(method, payload))
}

/// Runs `run` on the activation's grain (activating it first if the host has not).
pub fn with<G: Grain, T>(run: impl FnOnce(&mut G) -> T) -> T {
    GRAIN.with(|slot| {
        let mut slot = slot.borrow_mut();
        let grain = slot.get_or_insert_with(|| Box::new(G::activate()));
        run(grain.downcast_mut::<G>().expect("export_grain! stores exactly one grain type"))
    })
}

pub fn deactivate<G: Grain>() {
    let grain = GRAIN.with(|slot| slot.borrow_mut().take());
    if let Some(mut grain) = grain.and_then(|g| g.downcast::<G>().ok()) {
        grain.deactivate();
    }
}
