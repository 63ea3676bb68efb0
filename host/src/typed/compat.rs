//! Whether a new version of a typed kind can replace the current one under its callers.
//!
//! Compatible means every function the current version exports is still exported, in an
//! interface of the same name, with the same parameter names and types and the same result
//! type. Adding functions or interfaces is compatible; removing or changing one is not,
//! since any grain or client may still call it (`--force` replaces the kind anyway).

use super::shape::InterfaceShape;

/// What `new` removes or changes of `old`, one line each; empty when it is compatible.
pub fn breaking_changes(old: &[InterfaceShape], new: &[InterfaceShape]) -> Vec<String> {
    let mut breaks = Vec::new();
    for interface in old {
        let Some(replacement) = new.iter().find(|candidate| candidate.name == interface.name) else {
            breaks.push(format!("removes interface {}", interface.name));
            continue;
        };
        for function in &interface.functions {
            match replacement.functions.iter().find(|candidate| candidate.name == function.name) {
                None => breaks.push(format!("removes {}.{}", interface.short_name(), function.name)),
                Some(changed) if changed != function => breaks.push(format!(
                    "changes {}.{} from `{function}` to `{changed}`",
                    interface.short_name(),
                    function.name
                )),
                Some(_) => {}
            }
        }
    }
    breaks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typed::shape::{FunctionShape, ValueType};

    fn counter(functions: Vec<FunctionShape>) -> Vec<InterfaceShape> {
        vec![InterfaceShape { name: "example:typed-counter/counter@0.1.0".into(), functions }]
    }

    fn function(name: &str, param: ValueType) -> FunctionShape {
        FunctionShape { name: name.into(), params: vec![("n".into(), param)], result: Some(ValueType::S64) }
    }

    #[test]
    fn adding_is_compatible_removing_or_changing_is_not() {
        let old = counter(vec![function("add", ValueType::S64)]);
        let added = counter(vec![function("add", ValueType::S64), function("sub", ValueType::S64)]);
        assert!(breaking_changes(&old, &added).is_empty());
        assert_eq!(breaking_changes(&added, &old), vec!["removes counter.sub"]);
        let changed = counter(vec![function("add", ValueType::String)]);
        assert_eq!(
            breaking_changes(&old, &changed),
            vec!["changes counter.add from `add: func(n: s64) -> s64` to `add: func(n: string) -> s64`"]
        );
        assert_eq!(breaking_changes(&old, &[]), vec!["removes interface example:typed-counter/counter@0.1.0"]);
    }
}
