//! `granary new LANG NAME`: scaffold a grain project whose `./build.sh` makes `NAME.wasm`.

use super::templates::{Contents, Language};
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
}

pub fn run(args: NewArgs) -> anyhow::Result<()> {
    validate_kind_name(&args.name)?;
    let dir = args.dir.unwrap_or_else(|| PathBuf::from(&args.name));
    ensure_empty(&dir)?;
    for template in args.lang.files() {
        let path = dir.join(template.path.replace("__NAME__", &args.name));
        let bytes = match template.contents {
            Contents::Text(text) => fill_in(text, args.lang, &args.name).into_bytes(),
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

fn fill_in(text: &str, lang: Language, name: &str) -> String {
    text.replace("__NAME__", name)
        .replace("__CRATE__", &name.replace('-', "_"))
        .replace("__LANGUAGE__", lang.display_name())
        .replace("__LANG__", lang.key())
        .replace("__BUILD_NOTE__", lang.build_note())
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
