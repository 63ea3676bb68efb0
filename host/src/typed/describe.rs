//! A typed kind's exported interfaces as WIT text, decoded from its component with the
//! `wit-component` printer (which keeps the type names wasmtime's types do not carry).

use std::collections::BTreeMap;
use wit_component::{DecodedWasm, Output, WitPrinter};
use wit_parser::{InterfaceId, PackageId, WorldItem, WorldKey};

/// The package of the node's own contract, whose interfaces are not a kind's own.
const CONTRACT_PACKAGE: &str = "granary:grain";

/// The WIT of the interfaces `component` exports beyond the grain contract, one `package`
/// line per package; `Ok(None)` when it exports none (a kind of the `grain` world).
pub fn exported_wit(component: &[u8]) -> Result<Option<String>, String> {
    let decoded = wit_component::decode(component).map_err(|e| format!("cannot decode the component's WIT: {e:#}"))?;
    let DecodedWasm::Component(resolve, world) = decoded else {
        return Err("a WIT package, not a component".into());
    };
    let mut by_package: BTreeMap<String, (PackageId, Vec<(String, InterfaceId)>)> = BTreeMap::new();
    for (key, item) in &resolve.worlds[world].exports {
        let (WorldKey::Interface(id), WorldItem::Interface { .. }) = (key, item) else { continue };
        let interface = &resolve.interfaces[*id];
        let (Some(package), Some(name)) = (interface.package, interface.name.clone()) else { continue };
        let package_name = resolve.packages[package].name.to_string();
        if package_name.split('@').next() == Some(CONTRACT_PACKAGE) {
            continue;
        }
        by_package.entry(package_name).or_insert_with(|| (package, Vec::new())).1.push((name, *id));
    }
    if by_package.is_empty() {
        return Ok(None);
    }
    let mut printer = WitPrinter::default();
    for (i, (package, interfaces)) in by_package.values().enumerate() {
        if i > 0 {
            printer.output.newline();
        }
        printer.print_package_outer(&resolve.packages[*package]).map_err(|e| e.to_string())?;
        printer.output.semicolon();
        printer.output.newline();
        for (name, id) in interfaces {
            printer.output.newline();
            printer.print_interface_outer(&resolve, *id, name).map_err(|e| e.to_string())?;
            printer.output.indent_start();
            printer.print_interface(&resolve, *id).map_err(|e| e.to_string())?;
            printer.output.indent_end();
        }
    }
    let mut wit = printer.output.to_string();
    while wit.contains("\n\n\n") {
        wit = wit.replace("\n\n\n", "\n\n");
    }
    Ok(Some(wit))
}
