//! The types of a typed interface, read once from wasmtime's component types into plain
//! values: what JSON is mapped onto, what a reload is compared by, what errors name.

use std::fmt;
use wasmtime::component::types::{ComponentFunc, ComponentInstance, ComponentItem, Type};

/// The type of one value crossing a typed interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueType {
    /// `bool`.
    Bool,
    /// `s8`.
    S8,
    /// `u8`.
    U8,
    /// `s16`.
    S16,
    /// `u16`.
    U16,
    /// `s32`.
    S32,
    /// `u32`.
    U32,
    /// `s64`.
    S64,
    /// `u64`.
    U64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `char`.
    Char,
    /// `string`.
    String,
    /// `list<T>`.
    List(Box<ValueType>),
    /// A record's fields, in order.
    Record(Vec<(String, ValueType)>),
    /// `tuple<...>`.
    Tuple(Vec<ValueType>),
    /// A variant's cases, each with its payload type if it has one.
    Variant(Vec<(String, Option<ValueType>)>),
    /// An enum's cases.
    Enum(Vec<String>),
    /// `option<T>`.
    Option(Box<ValueType>),
    /// `result<T, E>`, either side possibly empty.
    Result {
        /// The `ok` payload's type.
        ok: Option<Box<ValueType>>,
        /// The `err` payload's type.
        err: Option<Box<ValueType>>,
    },
    /// A flags type's names.
    Flags(Vec<String>),
}

/// One function of a typed interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionShape {
    /// Its name in the interface.
    pub name: String,
    /// Its parameters, by name, in order.
    pub params: Vec<(String, ValueType)>,
    /// Its result, if it returns one.
    pub result: Option<ValueType>,
}

/// An interface a typed kind exports (or a grain imports), by its full name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceShape {
    /// Its full name, as `namespace:package/interface@version`.
    pub name: String,
    /// Its functions, sorted by name.
    pub functions: Vec<FunctionShape>,
}

impl ValueType {
    /// The value type of `ty`; `Err` names what a typed interface cannot carry (resources,
    /// streams, futures).
    pub fn of(ty: &Type) -> Result<Self, String> {
        Ok(match ty {
            Type::Bool => ValueType::Bool,
            Type::S8 => ValueType::S8,
            Type::U8 => ValueType::U8,
            Type::S16 => ValueType::S16,
            Type::U16 => ValueType::U16,
            Type::S32 => ValueType::S32,
            Type::U32 => ValueType::U32,
            Type::S64 => ValueType::S64,
            Type::U64 => ValueType::U64,
            Type::Float32 => ValueType::F32,
            Type::Float64 => ValueType::F64,
            Type::Char => ValueType::Char,
            Type::String => ValueType::String,
            Type::List(list) => ValueType::List(Box::new(Self::of(&list.ty())?)),
            Type::Record(record) => ValueType::Record(
                record
                    .fields()
                    .map(|field| Ok((field.name.to_string(), Self::of(&field.ty)?)))
                    .collect::<Result<_, String>>()?,
            ),
            Type::Tuple(tuple) => ValueType::Tuple(tuple.types().map(|ty| Self::of(&ty)).collect::<Result<_, _>>()?),
            Type::Variant(variant) => ValueType::Variant(
                variant
                    .cases()
                    .map(|case| Ok((case.name.to_string(), case.ty.as_ref().map(Self::of).transpose()?)))
                    .collect::<Result<_, String>>()?,
            ),
            Type::Enum(names) => ValueType::Enum(names.names().map(str::to_string).collect()),
            Type::Option(option) => ValueType::Option(Box::new(Self::of(&option.ty())?)),
            Type::Result(result) => ValueType::Result {
                ok: result.ok().as_ref().map(Self::of).transpose()?.map(Box::new),
                err: result.err().as_ref().map(Self::of).transpose()?.map(Box::new),
            },
            Type::Flags(flags) => ValueType::Flags(flags.names().map(str::to_string).collect()),
            Type::Own(_) | Type::Borrow(_) => return Err("resources cannot cross a typed call".into()),
            other => return Err(format!("{other:?} cannot cross a typed call")),
        })
    }
}

impl FunctionShape {
    /// The shape of `func`, named `name`.
    pub fn of(name: &str, func: &ComponentFunc) -> Result<Self, String> {
        let params = func
            .params()
            .map(|(param, ty)| Ok((param.to_string(), ValueType::of(&ty).map_err(|why| format!("{param}: {why}"))?)))
            .collect::<Result<_, String>>()?;
        let result = func.results().next().map(|ty| ValueType::of(&ty)).transpose()?;
        Ok(FunctionShape { name: name.to_string(), params, result })
    }
}

impl InterfaceShape {
    /// The functions of `instance`, an interface named `name`.
    pub fn of(name: &str, instance: &ComponentInstance, engine: &wasmtime::Engine) -> Result<Self, String> {
        let mut functions = Vec::new();
        for (item, extern_) in instance.exports(engine) {
            if let ComponentItem::ComponentFunc(func) = &extern_.ty {
                functions.push(FunctionShape::of(item, func).map_err(|why| format!("{name}.{item}: {why}"))?);
            }
        }
        functions.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(InterfaceShape { name: name.to_string(), functions })
    }

    /// Its name without the package and version: `counter` for `example:typed-counter/counter@0.1.0`.
    pub fn short_name(&self) -> &str {
        let after_slash = self.name.rsplit_once('/').map_or(self.name.as_str(), |(_, name)| name);
        after_slash.split_once('@').map_or(after_slash, |(name, _)| name)
    }
}

/// WIT spelling, as errors and reload refusals show a type (records and variants by their
/// fields and cases, since a component carries no type names).
impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |items: Vec<String>| items.join(", ");
        match self {
            ValueType::Bool => f.write_str("bool"),
            ValueType::S8 => f.write_str("s8"),
            ValueType::U8 => f.write_str("u8"),
            ValueType::S16 => f.write_str("s16"),
            ValueType::U16 => f.write_str("u16"),
            ValueType::S32 => f.write_str("s32"),
            ValueType::U32 => f.write_str("u32"),
            ValueType::S64 => f.write_str("s64"),
            ValueType::U64 => f.write_str("u64"),
            ValueType::F32 => f.write_str("f32"),
            ValueType::F64 => f.write_str("f64"),
            ValueType::Char => f.write_str("char"),
            ValueType::String => f.write_str("string"),
            ValueType::List(item) => write!(f, "list<{item}>"),
            ValueType::Record(fields) => {
                write!(f, "record {{ {} }}", list(fields.iter().map(|(name, ty)| format!("{name}: {ty}")).collect()))
            }
            ValueType::Tuple(items) => write!(f, "tuple<{}>", list(items.iter().map(ToString::to_string).collect())),
            ValueType::Variant(cases) => write!(
                f,
                "variant {{ {} }}",
                list(
                    cases
                        .iter()
                        .map(|(name, ty)| ty.as_ref().map_or_else(|| name.clone(), |ty| format!("{name}({ty})")))
                        .collect()
                )
            ),
            ValueType::Enum(cases) => write!(f, "enum {{ {} }}", cases.join(", ")),
            ValueType::Option(inner) => write!(f, "option<{inner}>"),
            ValueType::Result { ok, err } => {
                let side =
                    |ty: &Option<Box<ValueType>>| ty.as_ref().map_or_else(|| "_".to_string(), |ty| ty.to_string());
                write!(f, "result<{}, {}>", side(ok), side(err))
            }
            ValueType::Flags(names) => write!(f, "flags {{ {} }}", names.join(", ")),
        }
    }
}

impl fmt::Display for FunctionShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let params: Vec<String> = self.params.iter().map(|(name, ty)| format!("{name}: {ty}")).collect();
        write!(f, "{}: func({})", self.name, params.join(", "))?;
        match &self.result {
            Some(result) => write!(f, " -> {result}"),
            None => Ok(()),
        }
    }
}
