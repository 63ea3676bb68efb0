//! Generated bindings for the `granary:grain/grain` world (the only `generate!` in the SDK).

wit_bindgen::generate!({
    world: "grain",
    path: "../wit",
    pub_export_macro: true,
    export_macro_name: "export",
});
