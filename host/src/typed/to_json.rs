//! A typed function's values as JSON, the inverse of [`super::from_json`]: integers beyond
//! 2^53 (where a JSON number loses digits) as decimal strings, non-finite floats as "NaN",
//! "Infinity" and "-Infinity", a variant case without payload as `{"case": null}`.

use serde_json::{Map, Number, Value};
use wasmtime::component::Val;

/// The largest integer every JSON reader holds exactly.
const EXACT_INTEGER: u64 = (1 << 53) - 1;

/// The JSON of one value.
pub fn value(val: &Val) -> Value {
    match val {
        Val::Bool(b) => Value::Bool(*b),
        Val::S8(n) => Value::from(*n),
        Val::U8(n) => Value::from(*n),
        Val::S16(n) => Value::from(*n),
        Val::U16(n) => Value::from(*n),
        Val::S32(n) => Value::from(*n),
        Val::U32(n) => Value::from(*n),
        Val::S64(n) if n.unsigned_abs() <= EXACT_INTEGER => Value::from(*n),
        Val::S64(n) => Value::String(n.to_string()),
        Val::U64(n) if *n <= EXACT_INTEGER => Value::from(*n),
        Val::U64(n) => Value::String(n.to_string()),
        Val::Float32(x) => float(f64::from(*x)),
        Val::Float64(x) => float(*x),
        Val::Char(c) => Value::String(c.to_string()),
        Val::String(s) => Value::String(s.clone()),
        Val::List(items) | Val::Tuple(items) | Val::FixedLengthList(items) => {
            Value::Array(items.iter().map(value).collect())
        }
        Val::Record(fields) => Value::Object(fields.iter().map(|(name, val)| (name.clone(), value(val))).collect()),
        Val::Variant(case, payload) => case_object(case, payload.as_deref()),
        Val::Enum(case) => Value::String(case.clone()),
        Val::Option(inner) => inner.as_deref().map_or(Value::Null, value),
        Val::Result(Ok(payload)) => case_object("ok", payload.as_deref()),
        Val::Result(Err(payload)) => case_object("err", payload.as_deref()),
        Val::Flags(names) => Value::Array(names.iter().cloned().map(Value::String).collect()),
        // The shapes a typed interface may have exclude these (checked at push).
        Val::Map(_) | Val::Resource(_) | Val::Future(_) | Val::Stream(_) | Val::ErrorContext(_) => Value::Null,
    }
}

/// Named values as a JSON object: a function's parameters on their way to a grain.
pub fn object<'a>(names: impl Iterator<Item = &'a str>, vals: &[Val]) -> Value {
    Value::Object(names.zip(vals).map(|(name, val)| (name.to_string(), value(val))).collect())
}

/// A function's reply: its one result, or `null` for a function without one.
pub fn reply(results: &[Val]) -> Vec<u8> {
    let json = results.first().map_or(Value::Null, value);
    serde_json::to_vec(&json).unwrap_or_default()
}

fn case_object(case: &str, payload: Option<&Val>) -> Value {
    let mut object = Map::with_capacity(1);
    object.insert(case.to_string(), payload.map_or(Value::Null, value));
    Value::Object(object)
}

fn float(x: f64) -> Value {
    match Number::from_f64(x) {
        Some(number) => Value::Number(number),
        None if x.is_nan() => Value::String("NaN".into()),
        None if x > 0.0 => Value::String("Infinity".into()),
        None => Value::String("-Infinity".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typed::from_json;
    use crate::typed::shape::ValueType;
    use serde_json::json;

    #[test]
    fn wide_integers_become_strings_and_come_back() {
        assert_eq!(value(&Val::S64(5)), json!(5));
        assert_eq!(value(&Val::U64(u64::MAX)), json!("18446744073709551615"));
        assert_eq!(from_json::value(&ValueType::U64, &json!("18446744073709551615")), Ok(Val::U64(u64::MAX)));
        assert_eq!(value(&Val::S64(i64::MIN)), json!("-9223372036854775808"));
    }

    #[test]
    fn composite_values_round_trip() {
        let ty = ValueType::Result {
            ok: Some(Box::new(ValueType::Record(vec![
                ("total".into(), ValueType::S64),
                ("note".into(), ValueType::Option(Box::new(ValueType::String))),
                ("audit".into(), ValueType::Flags(vec!["logged".into(), "checked".into()])),
            ]))),
            err: Some(Box::new(ValueType::String)),
        };
        let json = json!({"ok": {"total": -3, "note": "hi", "audit": ["checked"]}});
        let val = from_json::value(&ty, &json).expect("fits");
        assert_eq!(value(&val), json);
        assert_eq!(value(&Val::Float64(f64::NAN)), json!("NaN"));
        assert_eq!(reply(&[]), b"null");
    }
}
