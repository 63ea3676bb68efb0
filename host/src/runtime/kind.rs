//! A grain kind: one checked, compiled component version with its settings and `InstancePre`.

use super::artifact_cache::ArtifactCache;
use super::bindings::{typed, v1, v2};
use super::grain_state::GrainState;
use super::http_grants::HttpGrants;
use super::typed_imports;
use super::world::WorldPre;
use crate::config::KindSettings;
use crate::ids::{KindName, Version};
use crate::typed::TypedInterface;
use granary_wire::component::{self, ComponentProblem};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use wasmtime::Engine;
use wasmtime::component::{HasSelf, Linker};

/// The exports every grain component must have; a typed kind exports an interface of its own
/// instead of `handle`.
const GRAIN_EXPORTS: [&str; 3] = ["activate", HANDLE_EXPORT, "deactivate"];
const HANDLE_EXPORT: &str = "handle";

/// Why a module cannot become a kind. Nothing changes on the node when this is returned.
#[derive(Debug, thiserror::Error)]
pub enum KindError {
    /// Over the node's module size limit.
    #[error("module is {size} bytes, over the limit of {limit}")]
    TooLarge {
        /// The module's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Not WebAssembly at all.
    #[error("not a WebAssembly component: the bytes do not start with the wasm header")]
    NotWasm,
    /// A core module rather than a component.
    #[error("this is a core WebAssembly module, not a component: wrap it with `wasm-tools component new`")]
    CoreModule,
    /// A component wasmtime cannot compile.
    #[error("invalid component: {0}")]
    Invalid(String),
    /// A component of another world.
    #[error(
        "component implements neither the granary:grain/grain world nor typed-grain: missing export(s) {missing} (it exports: {found})"
    )]
    WrongWorld {
        /// The exports it lacks.
        missing: String,
        /// What it exports.
        found: String,
    },
    /// Exports of the wrong types.
    #[error("component does not match the granary:grain/grain world: {0}")]
    WrongTypes(String),
    /// Imports the node does not provide.
    #[error("component imports something the node does not provide: {0}")]
    UnsupportedImport(String),
    /// An exported or imported typed interface with a type no typed call can carry.
    #[error("typed interface cannot be called: {0}")]
    UntypableInterface(String),
}

/// A loaded kind version.
pub struct Kind {
    name: KindName,
    version: Version,
    settings: KindSettings,
    engine: Engine,
    pre: WorldPre,
    /// The linear memory its latest instance started with: what the next one is expected to need.
    started_memory: AtomicU64,
    /// The hosts its grains may reach over HTTP.
    http_grants: HttpGrants,
    /// The interfaces it exports, if it is a typed kind.
    typed: Option<Arc<TypedInterface>>,
}

impl Kind {
    /// The linear memory a new instance is expected to start with: what the latest one started
    /// with, or before the first, what the component's core modules declare.
    pub fn expected_memory(&self) -> u64 {
        self.started_memory.load(Ordering::Relaxed)
    }

    /// The hosts its grains may reach over HTTP.
    pub fn http_grants(&self) -> &HttpGrants {
        &self.http_grants
    }

    /// Records that an instance started holding `bytes` of linear memory.
    pub fn started_with_memory(&self, bytes: u64) {
        self.started_memory.store(bytes, Ordering::Relaxed);
    }

    /// The kind's name.
    pub fn name(&self) -> &KindName {
        &self.name
    }

    /// The sha256 of the component bytes.
    pub fn version(&self) -> &Version {
        &self.version
    }

    /// The interfaces a typed kind exports; `None` for a kind of the `grain` world.
    pub fn typed(&self) -> Option<&TypedInterface> {
        self.typed.as_deref()
    }

    /// The settings every activation of this version runs under.
    pub fn settings(&self) -> &KindSettings {
        &self.settings
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    pub(crate) fn pre(&self) -> &WorldPre {
        &self.pre
    }
}

/// Checks and compiles components into kinds, against the node's linker.
pub struct KindCompiler {
    engine: Engine,
    linker: Linker<GrainState>,
    cache: ArtifactCache,
    max_module_bytes: usize,
}

impl KindCompiler {
    /// A compiler for `engine`, caching artifacts in `cache`, refusing modules over
    /// `max_module_bytes`.
    pub fn new(engine: Engine, cache: ArtifactCache, max_module_bytes: usize) -> anyhow::Result<Self> {
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(|e| anyhow::anyhow!("{e}"))?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).map_err(|e| anyhow::anyhow!("{e}"))?;
        v1::Grain::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state).map_err(|e| anyhow::anyhow!("{e}"))?;
        v2::Grain::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state).map_err(|e| anyhow::anyhow!("{e}"))?;
        typed::granary::grain::typed_calls::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(KindCompiler { engine, linker, cache, max_module_bytes })
    }

    /// Checks `bytes` against the grain world and compiles them (or loads the cached artifact).
    /// CPU-heavy: call it off the async executor.
    pub fn compile(&self, name: &KindName, bytes: &[u8], settings: KindSettings) -> Result<Kind, KindError> {
        if bytes.len() > self.max_module_bytes {
            return Err(KindError::TooLarge { size: bytes.len(), limit: self.max_module_bytes });
        }
        let summary = component::summarize(bytes).map_err(|problem| match problem {
            ComponentProblem::NotWasm => KindError::NotWasm,
            ComponentProblem::CoreModule => KindError::CoreModule,
            ComponentProblem::Invalid(why) => KindError::Invalid(why),
        })?;
        let exports = |name: &str| summary.exports.iter().any(|export| export == name);
        let typed_candidate = summary.exports.iter().any(|export| crate::typed::is_kind_interface(export));
        let missing: Vec<&str> = GRAIN_EXPORTS
            .into_iter()
            .filter(|name| !exports(name) && (*name != HANDLE_EXPORT || !typed_candidate))
            .collect();
        if !missing.is_empty() {
            let found = if summary.exports.is_empty() { "nothing".to_string() } else { summary.exports.join(", ") };
            return Err(KindError::WrongWorld { missing: missing.join(", "), found });
        }
        let version = Version::of(bytes);
        let component = self
            .cache
            .load_or_compile(&self.engine, &version, bytes)
            .map_err(|e| KindError::Invalid(format!("{e:#}")))?;

        // A component exporting `handle` is of the `grain` world, whatever else it exports.
        let typed = if exports(HANDLE_EXPORT) {
            None
        } else {
            TypedInterface::read(&component, bytes, &self.engine).map_err(KindError::UntypableInterface)?.map(Arc::new)
        };
        if !exports(HANDLE_EXPORT) && typed.is_none() {
            let found = summary.exports.join(", ");
            return Err(KindError::WrongWorld { missing: format!("{HANDLE_EXPORT} or an interface"), found });
        }
        let imports = typed_imports::typed_imports(&component, &self.engine).map_err(KindError::UntypableInterface)?;
        let linker = if imports.is_empty() {
            None
        } else {
            Some(
                typed_imports::link(&self.linker, &imports)
                    .map_err(|e| KindError::UnsupportedImport(format!("{e:#}")))?,
            )
        };
        let pre = linker
            .as_ref()
            .unwrap_or(&self.linker)
            .instantiate_pre(&component)
            .map_err(|e| KindError::UnsupportedImport(format!("{e:#}")))?;
        let pre =
            WorldPre::new(pre, &summary.exports, typed.clone()).map_err(|e| KindError::WrongTypes(format!("{e:#}")))?;
        // Checked at push; a grant that no longer reads (an old catalog) grants nothing.
        let http_grants = HttpGrants::new(&settings.allow_http).unwrap_or_else(|why| {
            tracing::warn!(kind = name.as_str(), "{why}: the kind may reach no host");
            HttpGrants::default()
        });
        Ok(Kind {
            name: name.clone(),
            http_grants,
            version,
            settings,
            engine: self.engine.clone(),
            pre,
            started_memory: AtomicU64::new(summary.declared_memory),
            typed,
        })
    }
}
