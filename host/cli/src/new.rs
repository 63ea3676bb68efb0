//! `granary new LANG NAME [--typed]`: scaffold a grain project whose `./build.sh` makes
//! `NAME.wasm`.

use super::templates::{Contents, Language, TemplateFile};
use anyhow::{Context, bail};
use granary::ids::validate_kind_name;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct NewArgs {
    /// The grain's language.
    lang: Language,
    /// The grain kind's name: ASCII letters, digits, `-` and `_`.
    name: String,
    /// Where to create the project (default: ./NAME). It must not exist, or be empty.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// A typed grain: it exports an interface of its own (wit/world.wit) instead of `handle`
    /// (Rust, Python and JavaScript).
    #[arg(long)]
    typed: bool,
}

pub fn run(args: NewArgs) -> anyhow::Result<()> {
    validate_kind_name(&args.name)?;
    let files: Vec<&TemplateFile> = if args.typed {
        let Some(files) = args.lang.typed_files() else {
            bail!("typed grains are scaffolded in rust, python and js; {} has no --typed template", args.lang.key());
        };
        files.collect()
    } else {
        args.lang.files().collect()
    };
    let dir = args.dir.unwrap_or_else(|| PathBuf::from(&args.name));
    ensure_empty(&dir)?;
    for template in files {
        let path = dir.join(template.path.replace("__NAME__", &args.name));
        let bytes = match template.contents {
            Contents::Text(text) => fill_in(text, args.lang, &args.name, args.typed).into_bytes(),
            Contents::Binary(bytes) => bytes.to_vec(),
        };
        write_file(&path, &bytes, template.executable)?;
    }
    let shown = dir.display();
    println!("created {} grain `{}` in {shown}", args.lang.display_name(), args.name);
    println!(
        "next:\n  cd {shown} && ./build.sh\n  granary kind push {0} {0}.wasm\n  granary call {0}/ada greet '{{\"name\": \"Ada\"}}'",
        args.name
    );
    Ok(())
}

/// `text` with the placeholders filled in; `__WORLD__` is the world the build targets: the
/// project's own for a typed grain, else the contract's `grain`.
fn fill_in(text: &str, lang: Language, name: &str, typed: bool) -> String {
    let wit_name = wit_name(name);
    let world = if typed { wit_name.clone() } else { "grain".to_string() };
    text.replace("__NAME__", name)
        .replace("__WORLD__", &world)
        .replace("__WIT_NAME__", &wit_name)
        .replace("__WIT_CRATE__", &wit_name.replace('-', "_"))
        .replace("__CRATE__", &name.replace('-', "_"))
        .replace("__LANGUAGE__", lang.display_name())
        .replace("__LANG__", lang.key())
        .replace("__BUILD_NOTE__", lang.build_note())
}

/// `name` as a WIT identifier (lowercase words joined by `-`, each starting with a letter):
/// `My_Grain-2` becomes `my-grain-n2`.
fn wit_name(name: &str) -> String {
    let words: Vec<String> = name
        .to_ascii_lowercase()
        .split(['-', '_'])
        .filter(|word| !word.is_empty())
        .map(|word| if word.starts_with(|c: char| c.is_ascii_digit()) { format!("n{word}") } else { word.to_string() })
        .collect();
    if words.is_empty() { "grain".to_string() } else { words.join("-") }
}

fn ensure_empty(dir: &Path) -> anyhow::Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => match entries.next() {
            Some(_) => bail!("{} already exists and is not empty", dir.display()),
            None => Ok(()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot use {}", dir.display())),
    }
}

fn write_file(path: &Path, bytes: &[u8], executable: bool) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    if executable {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("cannot make {} executable", path.display()))?;
    }
    Ok(())
}
