//! Typed kinds: a component of the `typed-grain` world exports an interface of its own. Its
//! functions' types are read at push ([`shape`]), JSON maps onto them and back
//! ([`from_json`], [`to_json`]), a reload is checked against them ([`compat`]), and the
//! interface is shown as WIT ([`describe`]).

pub mod compat;
pub mod describe;
pub mod from_json;
mod interface;
pub mod shape;
pub mod to_json;

pub use interface::{FunctionRef, TypedInterface, is_kind_interface};
pub use shape::{FunctionShape, InterfaceShape, ValueType};
