//! Generates the baseline echo service (`proto/granary/bench/v1/echo.proto`) the remote-call
//! scenario is measured against (with `$PROTOC` if set, else the vendored protoc), and records
//! the commit the binary is built from, which its reports name.

use std::process::Command;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os("PROTOC").is_none() {
        let protoc = protoc_bin_vendored::protoc_bin_path()?;
        // SAFETY: build scripts are single-threaded; nothing else reads the environment concurrently.
        unsafe { std::env::set_var("PROTOC", protoc) };
    }
    tonic_prost_build::configure().compile_protos(&["proto/granary/bench/v1/echo.proto"], &["proto"])?;
    record_revision();
    Ok(())
}

/// `git`'s answer to `args`, if it gave one.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok().filter(|out| out.status.success())?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Sets `GRANARY_BUILD_REVISION`: the commit checked out, `-dirty` if tracked files differ from
/// it. Worked out again whenever the checkout moves (HEAD or its branch) or a source of the
/// binary changes.
fn record_revision() {
    let revision = match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(commit) => match git(&["status", "--porcelain", "--untracked-files=no"]) {
            Some(changes) if !changes.is_empty() => format!("{commit}-dirty"),
            _ => commit,
        },
        None => "unknown (not built from a git checkout)".into(),
    };
    println!("cargo:rustc-env=GRANARY_BUILD_REVISION={revision}");
    let watched = [
        git(&["rev-parse", "--git-path", "HEAD"]),
        git(&["symbolic-ref", "-q", "HEAD"]).and_then(|branch| git(&["rev-parse", "--git-path", &branch])),
    ];
    // A path that does not exist (a packed branch) would make cargo run this script every build.
    for path in watched.into_iter().flatten().filter(|path| std::path::Path::new(path).exists()) {
        println!("cargo:rerun-if-changed={path}");
    }
    for sources in ["src", "../src", "../cli/src", "../wire/src", "../../wit"] {
        println!("cargo:rerun-if-changed={sources}");
    }
}
