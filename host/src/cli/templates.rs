//! The project templates behind `granary new`: per language, the files of a grain project,
//! with the guest helper and the WIT embedded from this repository so they never drift.

/// One file of a template: its path in the new project and its text, in which `__NAME__`
/// stands for the grain's name. `executable` files get mode 755.
pub struct TemplateFile {
    pub path: &'static str,
    pub text: &'static str,
    pub executable: bool,
}

/// A language `granary new` can scaffold.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Language {
    Python,
    Js,
}

const fn file(path: &'static str, text: &'static str) -> TemplateFile {
    TemplateFile { path, text, executable: false }
}

const fn script(path: &'static str, text: &'static str) -> TemplateFile {
    TemplateFile { path, text, executable: true }
}

/// Every template has the WIT contract, a README and a .gitignore for build outputs.
const COMMON: [TemplateFile; 3] = [
    file("wit/grain.wit", include_str!("../../../wit/grain.wit")),
    file("README.md", include_str!("../../templates/README.md")),
    file(".gitignore", include_str!("../../templates/gitignore")),
];

const PYTHON: [TemplateFile; 3] = [
    file("app.py", include_str!("../../templates/python/app.py")),
    file("granary.py", include_str!("../../../sdk-guest/python/granary.py")),
    script("build.sh", include_str!("../../templates/python/build.sh")),
];

const JS: [TemplateFile; 5] = [
    file("__NAME__.js", include_str!("../../templates/js/grain.js")),
    file("granary.js", include_str!("../../../sdk-guest/js/granary.js")),
    file("package.json", include_str!("../../../examples/js/package.json")),
    file("package-lock.json", include_str!("../../../examples/js/package-lock.json")),
    script("build.sh", include_str!("../../templates/js/build.sh")),
];

impl Language {
    /// The name a user types: `granary new python NAME`.
    pub fn key(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::Js => "js",
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Language::Python => "Python",
            Language::Js => "JavaScript",
        }
    }

    /// A sentence for the README about what the build needs.
    pub fn build_note(self) -> &'static str {
        match self {
            Language::Python => "The build needs `python3` with `venv`; the component is about 18 MB.",
            Language::Js => "The build needs Node.js 20.19 or newer with npm; the component is about 12 MB.",
        }
    }

    pub fn files(self) -> impl Iterator<Item = &'static TemplateFile> {
        let own: &'static [TemplateFile] = match self {
            Language::Python => &PYTHON,
            Language::Js => &JS,
        };
        COMMON.iter().chain(own)
    }
}
