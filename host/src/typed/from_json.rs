//! JSON onto a typed function's parameters: an object keyed by parameter name becomes the
//! `Val`s the function takes, or an error naming the first value that does not fit, by its
//! path (`n: expected s64, got string`, `changes[2].set: expected s64, got null`).
//!
//! The mapping (also in the README): integers are JSON numbers, 64-bit ones also decimal
//! strings (beyond 2^53 a number loses digits); `f32`/`f64` numbers or "NaN", "Infinity",
//! "-Infinity"; `char` a one-character string; records objects (an `option` field may be left
//! out); tuples arrays; variants `{"case": payload}` (a case without payload also `"case"`);
//! enums their case's name; options `null` or the value; results `{"ok": v}` or `{"err": v}`;
//! flags an array of the names set.

use super::shape::{FunctionShape, ValueType};
use serde_json::{Map, Value};
use std::fmt;
use wasmtime::component::Val;

/// A value that does not fit its type, and where it is.
#[derive(Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The path segments from the innermost out (reversed as the error unwinds).
    path: Vec<String>,
    message: String,
}

impl Mismatch {
    fn new(message: impl Into<String>) -> Self {
        Mismatch { path: Vec::new(), message: message.into() }
    }

    fn expected(ty: &ValueType, got: &Value) -> Self {
        Mismatch::new(format!("expected {}, got {}", brief(ty), json_kind(got)))
    }

    fn at(mut self, segment: impl Into<String>) -> Self {
        self.path.push(segment.into());
        self
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut path = String::new();
        for segment in self.path.iter().rev() {
            if !path.is_empty() && !segment.starts_with('[') {
                path.push('.');
            }
            path.push_str(segment);
        }
        if path.is_empty() { f.write_str(&self.message) } else { write!(f, "{path}: {}", self.message) }
    }
}

/// The parameters of `function` from `payload`, a JSON object keyed by parameter name (an
/// empty payload is `{}`).
pub fn params(function: &FunctionShape, payload: &[u8]) -> Result<Vec<Val>, Mismatch> {
    let object = if payload.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice::<Value>(payload) {
            Ok(Value::Object(object)) => object,
            Ok(other) => {
                return Err(Mismatch::new(format!(
                    "expected a JSON object keyed by parameter name, got {}",
                    json_kind(&other)
                )));
            }
            Err(e) => return Err(Mismatch::new(format!("not JSON: {e}"))),
        }
    };
    let vals = named_fields(&function.params, &object, "parameter")?;
    Ok(vals.into_iter().map(|(_, val)| val).collect())
}

/// The value of type `ty` that `json` spells.
pub fn value(ty: &ValueType, json: &Value) -> Result<Val, Mismatch> {
    let expected = || Mismatch::expected(ty, json);
    Ok(match ty {
        ValueType::Bool => Val::Bool(json.as_bool().ok_or_else(expected)?),
        ValueType::S8 => Val::S8(small_int(ty, json)?),
        ValueType::U8 => Val::U8(small_int(ty, json)?),
        ValueType::S16 => Val::S16(small_int(ty, json)?),
        ValueType::U16 => Val::U16(small_int(ty, json)?),
        ValueType::S32 => Val::S32(small_int(ty, json)?),
        ValueType::U32 => Val::U32(small_int(ty, json)?),
        ValueType::S64 => Val::S64(wide_int(ty, json, Value::as_i64)?),
        ValueType::U64 => Val::U64(wide_int(ty, json, Value::as_u64)?),
        // The narrowing is the mapping: an f32 parameter takes the nearest f32.
        #[allow(clippy::cast_possible_truncation)]
        ValueType::F32 => Val::Float32(float(ty, json)? as f32),
        ValueType::F64 => Val::Float64(float(ty, json)?),
        ValueType::Char => {
            let text = json.as_str().ok_or_else(expected)?;
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Val::Char(c),
                _ => {
                    return Err(Mismatch::new(format!(
                        "expected char (one character), got {} characters",
                        text.chars().count()
                    )));
                }
            }
        }
        ValueType::String => Val::String(json.as_str().ok_or_else(expected)?.to_string()),
        ValueType::List(item) => Val::List(
            json.as_array()
                .ok_or_else(expected)?
                .iter()
                .enumerate()
                .map(|(i, element)| value(item, element).map_err(|m| m.at(format!("[{i}]"))))
                .collect::<Result<_, _>>()?,
        ),
        ValueType::Record(fields) => {
            Val::Record(named_fields(fields, json.as_object().ok_or_else(expected)?, "field")?)
        }
        ValueType::Tuple(items) => {
            let elements = json.as_array().ok_or_else(expected)?;
            if elements.len() != items.len() {
                return Err(Mismatch::new(format!("expected {} elements, got {}", items.len(), elements.len())));
            }
            Val::Tuple(
                items
                    .iter()
                    .zip(elements)
                    .enumerate()
                    .map(|(i, (item, element))| value(item, element).map_err(|m| m.at(format!("[{i}]"))))
                    .collect::<Result<_, _>>()?,
            )
        }
        ValueType::Variant(cases) => {
            let (case, payload) = one_case(json).ok_or_else(expected)?;
            let Some((name, payload_ty)) = cases.iter().find(|(name, _)| name == case) else {
                return Err(unknown_case(case, cases.iter().map(|(name, _)| name.as_str())));
            };
            let payload = match (payload_ty, payload) {
                (Some(payload_ty), Some(payload)) => {
                    Some(Box::new(value(payload_ty, payload).map_err(|m| m.at(case))?))
                }
                (Some(payload_ty), None) => {
                    return Err(Mismatch::new(format!("expected a {payload_ty} payload")).at(case));
                }
                (None, None | Some(Value::Null)) => None,
                (None, Some(other)) => {
                    return Err(Mismatch::new(format!("takes no payload, got {}", json_kind(other))).at(case));
                }
            };
            Val::Variant(name.clone(), payload)
        }
        ValueType::Enum(cases) => {
            let case = json.as_str().ok_or_else(expected)?;
            if !cases.iter().any(|name| name == case) {
                return Err(unknown_case(case, cases.iter().map(String::as_str)));
            }
            Val::Enum(case.to_string())
        }
        ValueType::Option(inner) => match json {
            Value::Null => Val::Option(None),
            some => Val::Option(Some(Box::new(value(inner, some)?))),
        },
        ValueType::Result { ok, err } => {
            let (side, payload) =
                one_case(json).filter(|(side, _)| *side == "ok" || *side == "err").ok_or_else(expected)?;
            let payload_ty = if side == "ok" { ok } else { err };
            let payload = match (payload_ty, payload) {
                (Some(payload_ty), Some(payload)) => {
                    Some(Box::new(value(payload_ty, payload).map_err(|m| m.at(side))?))
                }
                (Some(payload_ty), None) => {
                    return Err(Mismatch::new(format!("expected a {payload_ty} payload")).at(side));
                }
                (None, _) => None,
            };
            Val::Result(if side == "ok" { Ok(payload) } else { Err(payload) })
        }
        ValueType::Flags(names) => {
            let set = json.as_array().ok_or_else(expected)?;
            let mut flags = Vec::with_capacity(set.len());
            for (i, flag) in set.iter().enumerate() {
                let flag =
                    flag.as_str().ok_or_else(|| Mismatch::expected(&ValueType::String, flag).at(format!("[{i}]")))?;
                if !names.iter().any(|name| name == flag) {
                    return Err(unknown_case(flag, names.iter().map(String::as_str)).at(format!("[{i}]")));
                }
                flags.push(flag.to_string());
            }
            Val::Flags(flags)
        }
    })
}

/// Each of `fields` from `object` (one left out is `none` when it is an option), refusing
/// names `fields` lacks: a misspelt one is not silently dropped.
fn named_fields(
    fields: &[(String, ValueType)],
    object: &Map<String, Value>,
    what: &str,
) -> Result<Vec<(String, Val)>, Mismatch> {
    if let Some(unknown) = object.keys().find(|key| !fields.iter().any(|(name, _)| name == *key)) {
        let known: Vec<&str> = fields.iter().map(|(name, _)| name.as_str()).collect();
        return Err(
            Mismatch::new(format!("unknown {what} (expected one of: {})", known.join(", "))).at(unknown.as_str())
        );
    }
    fields
        .iter()
        .map(|(name, ty)| {
            let val = match (object.get(name), ty) {
                (Some(json), ty) => value(ty, json),
                (None, ValueType::Option(_)) => Ok(Val::Option(None)),
                (None, ty) => Err(Mismatch::new(format!("missing {what} of type {}", brief(ty)))),
            };
            Ok((name.clone(), val.map_err(|m| m.at(name.as_str()))?))
        })
        .collect()
}

/// `{"case": payload}` or a bare `"case"`.
fn one_case(json: &Value) -> Option<(&str, Option<&Value>)> {
    match json {
        Value::String(case) => Some((case, None)),
        Value::Object(object) if object.len() == 1 => {
            object.iter().next().map(|(case, payload)| (case.as_str(), Some(payload)))
        }
        _ => None,
    }
}

fn unknown_case<'a>(case: &str, known: impl Iterator<Item = &'a str>) -> Mismatch {
    Mismatch::new(format!("unknown case {case:?} (expected one of: {})", known.collect::<Vec<_>>().join(", ")))
}

fn small_int<T: TryFrom<i64> + TryFrom<u64>>(ty: &ValueType, json: &Value) -> Result<T, Mismatch> {
    let converted = match json {
        Value::Number(number) => number
            .as_i64()
            .and_then(|n| T::try_from(n).ok())
            .or_else(|| number.as_u64().and_then(|n| T::try_from(n).ok())),
        _ => return Err(Mismatch::expected(ty, json)),
    };
    converted.ok_or_else(|| Mismatch::new(format!("expected {ty}, got {json} (out of range)")))
}

fn wide_int<T: std::str::FromStr>(
    ty: &ValueType,
    json: &Value,
    of_number: fn(&Value) -> Option<T>,
) -> Result<T, Mismatch> {
    let converted = match json {
        Value::Number(_) => of_number(json),
        Value::String(text) if text.trim_start_matches('-').bytes().all(|b| b.is_ascii_digit()) => text.parse().ok(),
        _ => return Err(Mismatch::expected(ty, json)),
    };
    converted.ok_or_else(|| Mismatch::new(format!("expected {ty}, got {json} (not an integer in range)")))
}

fn float(ty: &ValueType, json: &Value) -> Result<f64, Mismatch> {
    match json {
        Value::Number(number) => number.as_f64().ok_or_else(|| Mismatch::expected(ty, json)),
        Value::String(text) => match text.as_str() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            _ => Err(Mismatch::expected(ty, json)),
        },
        _ => Err(Mismatch::expected(ty, json)),
    }
}

/// A type as an error names it: primitives and containers by their WIT spelling, records and
/// variants by what they are.
fn brief(ty: &ValueType) -> String {
    match ty {
        ValueType::Record(_) => "record (a JSON object)".into(),
        ValueType::Variant(_) => "variant ({\"case\": payload})".into(),
        ValueType::Enum(_) => "enum (a case name)".into(),
        ValueType::Flags(_) => "flags (an array of names)".into(),
        ValueType::Result { .. } => "result ({\"ok\": v} or {\"err\": v})".into(),
        ValueType::Tuple(_) => "tuple (an array)".into(),
        other => other.to_string(),
    }
}

fn json_kind(json: &Value) -> &'static str {
    match json {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn add() -> FunctionShape {
        FunctionShape { name: "add".into(), params: vec![("n".into(), ValueType::S64)], result: Some(ValueType::S64) }
    }

    #[test]
    fn a_wrong_type_names_the_parameter() {
        let err = params(&add(), br#"{"n":"x"}"#).expect_err("a string is no s64");
        assert_eq!(err.to_string(), "n: expected s64, got string");
        assert_eq!(params(&add(), br#"{"n":5}"#), Ok(vec![Val::S64(5)]));
        assert_eq!(params(&add(), br#"{"n":"9007199254740993"}"#), Ok(vec![Val::S64(9_007_199_254_740_993)]));
    }

    #[test]
    fn missing_and_unknown_parameters_are_refused() {
        assert_eq!(params(&add(), b"{}").expect_err("missing").to_string(), "n: missing parameter of type s64");
        assert_eq!(
            params(&add(), br#"{"n":1,"m":2}"#).expect_err("unknown").to_string(),
            "m: unknown parameter (expected one of: n)"
        );
        assert!(params(&add(), b"[1]").expect_err("not an object").to_string().contains("JSON object"));
    }

    #[test]
    fn nested_paths_name_the_element() {
        let change = ValueType::Variant(vec![("add".into(), Some(ValueType::S64)), ("reset".into(), None)]);
        let changes = ValueType::List(Box::new(change));
        let err = value(&changes, &json!([{"add": 1}, "reset", {"add": "x"}])).expect_err("bad element");
        assert_eq!(err.to_string(), "[2].add: expected s64, got string");
        let ok = value(&changes, &json!([{"add": 1}, "reset", {"reset": null}])).expect("fits");
        assert_eq!(
            ok,
            Val::List(vec![
                Val::Variant("add".into(), Some(Box::new(Val::S64(1)))),
                Val::Variant("reset".into(), None),
                Val::Variant("reset".into(), None),
            ])
        );
    }

    #[test]
    fn records_options_results_flags_and_enums() {
        let record = ValueType::Record(vec![
            ("x".into(), ValueType::U8),
            ("note".into(), ValueType::Option(Box::new(ValueType::String))),
        ]);
        assert_eq!(
            value(&record, &json!({"x": 7})),
            Ok(Val::Record(vec![("x".into(), Val::U8(7)), ("note".into(), Val::Option(None))]))
        );
        assert_eq!(
            value(&record, &json!({"x": 300})).expect_err("range").to_string(),
            "x: expected u8, got 300 (out of range)"
        );
        let result = ValueType::Result { ok: Some(Box::new(ValueType::Bool)), err: None };
        assert_eq!(value(&result, &json!({"ok": true})), Ok(Val::Result(Ok(Some(Box::new(Val::Bool(true)))))));
        assert_eq!(value(&result, &json!({"err": null})), Ok(Val::Result(Err(None))));
        let flags = ValueType::Flags(vec!["a".into(), "b".into()]);
        assert_eq!(value(&flags, &json!(["b"])), Ok(Val::Flags(vec!["b".into()])));
        assert!(value(&flags, &json!(["c"])).is_err());
        let mode = ValueType::Enum(vec!["none".into(), "down-to-ten".into()]);
        assert_eq!(value(&mode, &json!("down-to-ten")), Ok(Val::Enum("down-to-ten".into())));
        assert!(value(&mode, &json!("up")).expect_err("unknown").to_string().contains("unknown case"));
    }
}
