//! The first look at a module pushed as a kind, before anything compiles it: is it a
//! component, is it valid WebAssembly, what it exports at its top level, and how much linear
//! memory its core modules declare.

use wasmparser::{Parser, Payload, Validator, WasmFeatures};

/// Why bytes cannot be a component.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ComponentProblem {
    /// Not WebAssembly at all.
    #[error("not a WebAssembly component: the bytes do not start with the wasm header")]
    NotWasm,
    /// A core module rather than a component.
    #[error("this is a core WebAssembly module, not a component: wrap it with `wasm-tools component new`")]
    CoreModule,
    /// Malformed or invalid.
    #[error("invalid component: {0}")]
    Invalid(String),
}

/// What a valid component shows before it is compiled.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ComponentSummary {
    /// The names it exports at its top level.
    pub exports: Vec<String>,
    /// The linear memory its core modules define at their start: the sum of their memories'
    /// initial sizes.
    pub declared_memory: u64,
}

/// Checks that `bytes` are a valid component (every WebAssembly feature allowed: the engine
/// refuses what it does not support when it compiles) and summarizes it.
pub fn summarize(bytes: &[u8]) -> Result<ComponentSummary, ComponentProblem> {
    if !Parser::is_component(bytes) {
        return Err(if Parser::is_core_wasm(bytes) { ComponentProblem::CoreModule } else { ComponentProblem::NotWasm });
    }
    let invalid = |error: wasmparser::BinaryReaderError| ComponentProblem::Invalid(error.to_string());
    Validator::new_with_features(WasmFeatures::all()).validate_all(bytes).map_err(invalid)?;
    let mut summary = ComponentSummary::default();
    // Each component or module, nested or not, begins with a version and ends with an end.
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(invalid)? {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentExportSection(exports) if depth == 1 => {
                for export in exports {
                    summary.exports.push(export.map_err(invalid)?.name.name.to_string());
                }
            }
            Payload::MemorySection(memories) => {
                for memory in memories {
                    let memory = memory.map_err(invalid)?;
                    let bytes = memory.initial.saturating_mul(u64::from(memory.page_size()));
                    summary.declared_memory = summary.declared_memory.saturating_add(bytes);
                }
            }
            _ => {}
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_a_component_says_what_it_is() {
        assert_eq!(summarize(b"not wasm"), Err(ComponentProblem::NotWasm));
        assert_eq!(summarize(b"\0asm\x01\0\0\0"), Err(ComponentProblem::CoreModule));
        let truncated = b"\0asm\x0d\0\x01\0\x07";
        assert!(matches!(summarize(truncated), Err(ComponentProblem::Invalid(_))));
    }

    #[test]
    fn an_empty_component_exports_nothing_and_declares_no_memory() {
        let empty = b"\0asm\x0d\0\x01\0";
        assert_eq!(summarize(empty), Ok(ComponentSummary::default()));
    }
}
