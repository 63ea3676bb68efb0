//! `granary node --config FILE`: a TOML file whose keys are the node's flag names
//! (`listen = "127.0.0.1:7070"`, `seeds = ["a:7070", "b:7070"]`, `no-hosting = true`).
//! A flag on the command line, or its `GRANARY_<FLAG>` environment variable, wins over the file.

use anyhow::{Context, bail};
use std::ffi::OsString;

/// `args` with the config file's settings appended as flags, for those not given otherwise.
/// Only `granary node` reads a config file; other commands' arguments come back unchanged.
pub fn with_config_file(args: Vec<OsString>) -> anyhow::Result<Vec<OsString>> {
    if args.get(1).and_then(|a| a.to_str()) != Some("node") {
        return Ok(args);
    }
    let Some(file) = config_path(&args) else { return Ok(args) };
    let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read config file {file}"))?;
    let table: toml::Table = text.parse().with_context(|| format!("config file {file} is not valid TOML"))?;
    let mut expanded = args.clone();
    for (key, value) in table {
        let flag = format!("--{key}");
        let given = args.iter().any(|a| a.to_str().is_some_and(|a| a == flag || a.starts_with(&format!("{flag}="))));
        let env = format!("GRANARY_{}", key.to_uppercase().replace('-', "_"));
        if given || std::env::var_os(&env).is_some() {
            continue;
        }
        match value {
            toml::Value::Boolean(true) => expanded.push(flag.into()),
            toml::Value::Boolean(false) => {}
            toml::Value::Array(items) => {
                let items: Vec<String> = items.iter().map(|item| scalar(&key, item)).collect::<Result<_, _>>()?;
                expanded.push(format!("{flag}={}", items.join(",")).into());
            }
            other => expanded.push(format!("{flag}={}", scalar(&key, &other)?).into()),
        }
    }
    Ok(expanded)
}

/// The file named by `--config FILE`, `--config=FILE` or `GRANARY_CONFIG`.
fn config_path(args: &[OsString]) -> Option<String> {
    let args: Vec<&str> = args.iter().filter_map(|a| a.to_str()).collect();
    for (i, arg) in args.iter().enumerate() {
        if let Some(file) = arg.strip_prefix("--config=") {
            return Some(file.to_string());
        }
        if *arg == "--config" {
            return args.get(i + 1).map(|file| file.to_string());
        }
    }
    std::env::var("GRANARY_CONFIG").ok().filter(|file| !file.is_empty())
}

fn scalar(key: &str, value: &toml::Value) -> anyhow::Result<String> {
    match value {
        toml::Value::String(s) => Ok(s.clone()),
        toml::Value::Integer(n) => Ok(n.to_string()),
        toml::Value::Float(x) => Ok(x.to_string()),
        toml::Value::Boolean(b) => Ok(b.to_string()),
        _ => bail!("config key {key:?} must be a string, number, boolean or a list of them"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn file_settings_fill_in_flags_the_command_line_did_not_give() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("node.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:7101\"\nseeds = [\"127.0.0.1:7102\", \"127.0.0.1:7103\"]\nno-hosting = true\n\
             provider = \"gossip\"\ngossip-interval = \"100ms\"\n",
        )
        .expect("write");
        let config = file.to_str().expect("UTF-8 path");
        let expanded =
            with_config_file(args(&["granary", "node", "--config", config, "--provider", "single"])).expect("expands");
        let expanded: Vec<&str> = expanded.iter().filter_map(|a| a.to_str()).collect();
        assert!(expanded.contains(&"--listen=127.0.0.1:7101"), "{expanded:?}");
        assert!(expanded.contains(&"--seeds=127.0.0.1:7102,127.0.0.1:7103"), "{expanded:?}");
        assert!(expanded.contains(&"--no-hosting"), "{expanded:?}");
        assert!(expanded.contains(&"--gossip-interval=100ms"), "{expanded:?}");
        assert!(!expanded.contains(&"--provider=gossip"), "the command line wins: {expanded:?}");
    }

    #[test]
    fn a_bad_file_is_a_clear_error_and_other_commands_ignore_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "listen = [").expect("write");
        let config = file.to_str().expect("UTF-8 path");
        let error = with_config_file(args(&["granary", "node", "--config", config])).unwrap_err();
        assert!(format!("{error:#}").contains("is not valid TOML"), "{error:#}");
        let dev = args(&["granary", "dev", "--config", config]);
        assert_eq!(with_config_file(dev.clone()).expect("unchanged"), dev);
    }
}
