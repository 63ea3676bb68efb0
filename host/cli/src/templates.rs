//! The project templates behind `granary new`: per language, the files of a grain project,
//! with the guest helper and the WIT embedded from this repository so they never drift.

/// One file of a template: its path in the new project (where `__NAME__` stands for the grain's
/// name) and its contents. `executable` files get mode 755.
pub struct TemplateFile {
    pub path: &'static str,
    pub contents: Contents,
    pub executable: bool,
}

pub enum Contents {
    /// Text in which `__NAME__` and the other placeholders are filled in.
    Text(&'static str),
    /// Bytes written as they are.
    Binary(&'static [u8]),
}

/// A language `granary new` can scaffold.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Language {
    Rust,
    Python,
    Js,
    Go,
    C,
    Zig,
    Assemblyscript,
}

const fn file(path: &'static str, text: &'static str) -> TemplateFile {
    TemplateFile { path, contents: Contents::Text(text), executable: false }
}

const fn script(path: &'static str, text: &'static str) -> TemplateFile {
    TemplateFile { path, contents: Contents::Text(text), executable: true }
}

/// Every template has a README and a .gitignore for build outputs.
const COMMON: [TemplateFile; 2] = [
    file("README.md", include_str!("../templates/README.md")),
    file(".gitignore", include_str!("../templates/gitignore")),
];

/// The WIT contract every template builds against: `granary:grain@0.2.0`.
const WIT: TemplateFile = file("wit/grain.wit", include_str!("../../../wit/grain.wit"));

/// The Rust SDK travels with the project, as a path dependency beside the grain.
const RUST: [TemplateFile; 14] = [
    file("Cargo.toml", include_str!("../templates/rust/Cargo.toml")),
    file("src/lib.rs", include_str!("../templates/rust/lib.rs")),
    script("build.sh", include_str!("../templates/rust/build.sh")),
    file("granary-sdk/Cargo.toml", include_str!("../../../sdk-guest/Cargo.toml")),
    file("granary-sdk/README.md", include_str!("../../../sdk-guest/README.md")),
    file("granary-sdk/src/bindings.rs", include_str!("../../../sdk-guest/src/bindings.rs")),
    file("granary-sdk/src/grains.rs", include_str!("../../../sdk-guest/src/grains.rs")),
    file("granary-sdk/src/json.rs", include_str!("../../../sdk-guest/src/json.rs")),
    file("granary-sdk/src/lib.rs", include_str!("../../../sdk-guest/src/lib.rs")),
    file("granary-sdk/src/lifecycle.rs", include_str!("../../../sdk-guest/src/lifecycle.rs")),
    file("granary-sdk/src/log.rs", include_str!("../../../sdk-guest/src/log.rs")),
    file("granary-sdk/src/reminders.rs", include_str!("../../../sdk-guest/src/reminders.rs")),
    file("granary-sdk/src/state.rs", include_str!("../../../sdk-guest/src/state.rs")),
    file("granary-sdk/src/topics.rs", include_str!("../../../sdk-guest/src/topics.rs")),
];

const PYTHON: [TemplateFile; 3] = [
    file("app.py", include_str!("../templates/python/app.py")),
    file("granary.py", include_str!("../../../sdk-guest/python/granary.py")),
    script("build.sh", include_str!("../templates/python/build.sh")),
];

const JS: [TemplateFile; 5] = [
    file("__NAME__.js", include_str!("../templates/js/grain.js")),
    file("granary.js", include_str!("../../../sdk-guest/js/granary.js")),
    file("package.json", include_str!("../../../examples/js/package.json")),
    file("package-lock.json", include_str!("../../../examples/js/package-lock.json")),
    script("build.sh", include_str!("../templates/js/build.sh")),
];

/// Go's runtime imports WASI preview1, so the project carries the adapter of the wasmtime
/// release this node embeds.
const GO: [TemplateFile; 11] = [
    file("main.go", include_str!("../templates/go/main.go")),
    file("go.mod", include_str!("../templates/go/go.mod")),
    script("build.sh", include_str!("../templates/go/build.sh")),
    TemplateFile {
        path: "wasi_snapshot_preview1.reactor.wasm",
        contents: Contents::Binary(wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER),
        executable: false,
    },
    file("granary-sdk/go.mod", include_str!("../../../sdk-guest/go/go.mod")),
    file("granary-sdk/granary/abi.go", include_str!("../../../sdk-guest/go/granary/abi.go")),
    file("granary-sdk/granary/doc.go", include_str!("../../../sdk-guest/go/granary/doc.go")),
    file("granary-sdk/granary/grain.go", include_str!("../../../sdk-guest/go/granary/grain.go")),
    file("granary-sdk/granary/json.go", include_str!("../../../sdk-guest/go/granary/json.go")),
    file("granary-sdk/granary/reminders.go", include_str!("../../../sdk-guest/go/granary/reminders.go")),
    file(
        "granary-sdk/granary/memory_wasip1_wasm.s",
        include_str!("../../../sdk-guest/go/granary/memory_wasip1_wasm.s"),
    ),
];

const C: [TemplateFile; 16] = [
    file("__NAME__.c", include_str!("../templates/c/grain.c")),
    script("build.sh", include_str!("../templates/c/build.sh")),
    file("granary-sdk/include/granary.h", include_str!("../../../sdk-guest/c/include/granary.h")),
    file("granary-sdk/src/buf.c", include_str!("../../../sdk-guest/c/src/buf.c")),
    file("granary-sdk/src/exports.c", include_str!("../../../sdk-guest/c/src/exports.c")),
    file("granary-sdk/src/host.c", include_str!("../../../sdk-guest/c/src/host.c")),
    file("granary-sdk/src/internal.h", include_str!("../../../sdk-guest/c/src/internal.h")),
    file("granary-sdk/src/json_get.c", include_str!("../../../sdk-guest/c/src/json_get.c")),
    file("granary-sdk/src/json_parse.c", include_str!("../../../sdk-guest/c/src/json_parse.c")),
    file("granary-sdk/src/json_tokens.h", include_str!("../../../sdk-guest/c/src/json_tokens.h")),
    file("granary-sdk/src/json_write.c", include_str!("../../../sdk-guest/c/src/json_write.c")),
    file("granary-sdk/src/reminders.c", include_str!("../../../sdk-guest/c/src/reminders.c")),
    file("granary-sdk/src/utf8.c", include_str!("../../../sdk-guest/c/src/utf8.c")),
    file("granary-sdk/bindgen/Cargo.toml", include_str!("../../../sdk-guest/c/bindgen/Cargo.toml")),
    file("granary-sdk/bindgen/Cargo.lock", include_str!("../../../sdk-guest/c/bindgen/Cargo.lock")),
    file("granary-sdk/bindgen/src/main.rs", include_str!("../../../sdk-guest/c/bindgen/src/main.rs")),
];

const ZIG: [TemplateFile; 7] = [
    file("__NAME__.zig", include_str!("../templates/zig/grain.zig")),
    script("build.sh", include_str!("../templates/zig/build.sh")),
    file("granary/granary.zig", include_str!("../../../sdk-guest/zig/granary.zig")),
    file("granary/exports.zig", include_str!("../../../sdk-guest/zig/exports.zig")),
    file("granary/host.zig", include_str!("../../../sdk-guest/zig/host.zig")),
    file("granary/json.zig", include_str!("../../../sdk-guest/zig/json.zig")),
    file("granary/memory.zig", include_str!("../../../sdk-guest/zig/memory.zig")),
];

const ASSEMBLYSCRIPT: [TemplateFile; 13] = [
    file("__NAME__.ts", include_str!("../templates/assemblyscript/grain.ts")),
    script("build.sh", include_str!("../templates/assemblyscript/build.sh")),
    file("package.json", include_str!("../../../examples/assemblyscript/package.json")),
    file("package-lock.json", include_str!("../../../examples/assemblyscript/package-lock.json")),
    file("granary/abi.ts", include_str!("../../../sdk-guest/assemblyscript/abi.ts")),
    file("granary/abort.ts", include_str!("../../../sdk-guest/assemblyscript/abort.ts")),
    file("granary/bytes.ts", include_str!("../../../sdk-guest/assemblyscript/bytes.ts")),
    file("granary/exports.ts", include_str!("../../../sdk-guest/assemblyscript/exports.ts")),
    file("granary/grain.ts", include_str!("../../../sdk-guest/assemblyscript/grain.ts")),
    file("granary/granary.ts", include_str!("../../../sdk-guest/assemblyscript/granary.ts")),
    file("granary/host.ts", include_str!("../../../sdk-guest/assemblyscript/host.ts")),
    file("granary/json.ts", include_str!("../../../sdk-guest/assemblyscript/json.ts")),
    file("granary/reminders.ts", include_str!("../../../sdk-guest/assemblyscript/reminders.ts")),
];

/// A typed project has its own README, its world in wit/world.wit and the contract in wit/deps.
const TYPED_COMMON: [TemplateFile; 4] = [
    file("README.md", include_str!("../templates/typed/README.md")),
    file(".gitignore", include_str!("../templates/gitignore")),
    file("wit/world.wit", include_str!("../templates/typed/world.wit")),
    file("wit/deps/grain.wit", include_str!("../../../wit/grain.wit")),
];

/// A typed Rust grain generates its own bindings: no SDK beside it.
const TYPED_RUST: [TemplateFile; 3] = [
    file("Cargo.toml", include_str!("../templates/typed/rust/Cargo.toml")),
    file("src/lib.rs", include_str!("../templates/typed/rust/lib.rs")),
    script("build.sh", include_str!("../templates/rust/build.sh")),
];

const TYPED_PYTHON: [TemplateFile; 2] = [
    file("app.py", include_str!("../templates/typed/python/app.py")),
    script("build.sh", include_str!("../templates/python/build.sh")),
];

const TYPED_JS: [TemplateFile; 4] = [
    file("__NAME__.js", include_str!("../templates/typed/js/grain.js")),
    file("package.json", include_str!("../../../examples/js/package.json")),
    file("package-lock.json", include_str!("../../../examples/js/package-lock.json")),
    script("build.sh", include_str!("../templates/js/build.sh")),
];

impl Language {
    /// The name a user types: `granary new python NAME`.
    pub fn key(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Python => "python",
            Language::Js => "js",
            Language::Go => "go",
            Language::C => "c",
            Language::Zig => "zig",
            Language::Assemblyscript => "assemblyscript",
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Language::Rust => "Rust",
            Language::Python => "Python",
            Language::Js => "JavaScript",
            Language::Go => "Go",
            Language::C => "C",
            Language::Zig => "Zig",
            Language::Assemblyscript => "AssemblyScript",
        }
    }

    /// A sentence for the README about what the build needs.
    pub fn build_note(self) -> &'static str {
        match self {
            Language::Rust => {
                "The build needs cargo with the `wasm32-unknown-unknown` target (or Debian's rustc-web) and python3 for wasm-tools."
            }
            Language::Python => "The build needs `python3` with `venv`; the component is about 18 MB.",
            Language::Js => "The build needs Node.js 20.19 or newer with npm; the component is about 12 MB.",
            Language::Go => "The build needs python3 with `venv` (Go and wasm-tools come from PyPI).",
            Language::C => {
                "The build needs clang, wasm-ld, wasi-libc and jsmn (Debian packages), cargo for the bindings generator (built once, into `CARGO_TARGET_DIR` when set, so projects can share it), and python3 for wasm-tools."
            }
            Language::Zig => {
                "The build needs python3 with `venv` (Zig and wasm-tools come from PyPI); Zig's runtime builds once, into `ZIG_GLOBAL_CACHE_DIR` when set."
            }
            Language::Assemblyscript => "The build needs Node.js 20 or newer with npm, and python3 for wasm-tools.",
        }
    }

    pub fn files(self) -> impl Iterator<Item = &'static TemplateFile> {
        let own: &'static [TemplateFile] = match self {
            Language::Rust => &RUST,
            Language::Python => &PYTHON,
            Language::Js => &JS,
            Language::Go => &GO,
            Language::C => &C,
            Language::Zig => &ZIG,
            Language::Assemblyscript => &ASSEMBLYSCRIPT,
        };
        COMMON.iter().chain(std::iter::once(&WIT)).chain(own)
    }

    /// The files of a typed project (`granary new LANG NAME --typed`), for the languages that
    /// offer one: Rust, Python and JavaScript generate bindings for any world; the others'
    /// SDKs hand-write the `grain` world's ABI.
    pub fn typed_files(self) -> Option<impl Iterator<Item = &'static TemplateFile>> {
        let own: &'static [TemplateFile] = match self {
            Language::Rust => &TYPED_RUST,
            Language::Python => &TYPED_PYTHON,
            Language::Js => &TYPED_JS,
            Language::Go | Language::C | Language::Zig | Language::Assemblyscript => return None,
        };
        Some(TYPED_COMMON.iter().chain(own))
    }
}
