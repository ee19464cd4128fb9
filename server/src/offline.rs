//! The service worker that lets a tablet open the marking pages it has seen without a
//! network (issue #7). It is served from a template embedded in the binary rather than
//! copied as a static asset, so that its text carries the build it belongs to: the
//! browser installs a new worker only when the script's bytes change, and the worker
//! names its caches after that version, so deploying a new build is what retires the
//! cached wasm, JS and pages of the previous one.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

const TEMPLATE: &str = include_str!("sw.js");

/// The rendered worker script, made once at start-up.
#[derive(Debug, Clone)]
pub struct ServiceWorker {
    pub version: String,
    pub precache: Vec<String>,
    script: Arc<str>,
}

impl ServiceWorker {
    /// Lists the built site's files (wasm, JS, CSS, favicon, offline.js) and hashes their
    /// contents into the version. A missing or unreadable site only shrinks the list: the
    /// server still starts, as the integration tests run it without a client build.
    pub fn for_site(site_root: &Path) -> Self {
        let mut files = Vec::new();
        collect_files(site_root, &mut files);
        files.sort();
        let mut hash = Fnv1a::new();
        hash.write(env!("CARGO_PKG_VERSION").as_bytes());
        hash.write(TEMPLATE.as_bytes());
        let mut precache = Vec::new();
        for file in files {
            let Ok(relative) = file.strip_prefix(site_root) else {
                continue;
            };
            let Some(url) = url_path(relative) else {
                continue;
            };
            let Ok(bytes) = std::fs::read(&file) else {
                continue;
            };
            hash.write(url.as_bytes());
            hash.write(&(bytes.len() as u64).to_le_bytes());
            hash.write(&bytes);
            precache.push(url);
        }
        let version = format!("{:016x}", hash.finish());
        Self::render(version, precache)
    }

    fn render(version: String, precache: Vec<String>) -> Self {
        let list = precache
            .iter()
            .map(|url| format!("{url:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        let script = TEMPLATE
            .replace("\"__TABEL_VERSION__\"", &format!("{version:?}"))
            .replace("[/* __TABEL_PRECACHE__ */]", &format!("[{list}]"));
        Self {
            version,
            precache,
            script: script.into(),
        }
    }

    pub fn script(&self) -> &str {
        &self.script
    }
}

/// `GET /sw.js`. At the site root, so its scope is the whole site.
pub fn routes(site_root: &str) -> Router {
    let worker = ServiceWorker::for_site(Path::new(site_root));
    tracing::info!(
        version = %worker.version,
        files = worker.precache.len(),
        "service worker ready"
    );
    Router::new()
        .route("/sw.js", get(serve))
        .with_state(Arc::new(worker))
}

async fn serve(State(worker): State<Arc<ServiceWorker>>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            // The browser compares the script on every navigation anyway; no-cache keeps
            // any HTTP cache in between from hiding a new build.
            (header::CACHE_CONTROL, "no-cache"),
            // A worker lives under the policy its script came with: it fetches and
            // caches Tabel's own pages and files, and nothing else.
            (header::CONTENT_SECURITY_POLICY, "default-src 'self'"),
        ],
        worker.script().to_owned(),
    )
        .into_response()
}

/// Files worth caching for offline use. Type declarations are for developers only, and
/// the precompressed copies (`.br`, `.gz`) are what the server sends for the file itself
/// when the browser accepts them: the worker caches the file, not its copies.
fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => collect_files(&path, out),
            Ok(kind) if kind.is_file() => {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                let copy = name.ends_with(".br") || name.ends_with(".gz");
                if !name.ends_with(".d.ts") && !copy && name != "sw.js" {
                    out.push(path);
                }
            }
            _ => {}
        }
    }
}

/// `pkg/tabel.js` → `/pkg/tabel.js`; `None` for names that would need escaping.
fn url_path(relative: &Path) -> Option<String> {
    let mut url = String::new();
    for part in relative.components() {
        let part = part.as_os_str().to_str()?;
        if !part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return None;
        }
        url.push('/');
        url.push_str(part);
    }
    (!url.is_empty()).then_some(url)
}

/// FNV-1a, 64 bits: a cache version needs to change with the content, not to resist
/// tampering, and this keeps the server free of another hashing dependency.
struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> tempdir::Dir {
        let dir = tempdir::Dir::new();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn lists_the_site_files_as_urls_and_skips_declarations_and_compressed_copies() {
        let dir = site(&[
            ("favicon.svg", "<svg/>"),
            ("offline.js", "//"),
            ("pkg/tabel.js", "js"),
            ("pkg/tabel.wasm", "wasm"),
            ("pkg/tabel.wasm.br", "brotli"),
            ("pkg/tabel.wasm.gz", "gzip"),
            ("pkg/tabel.css", "css"),
            ("pkg/tabel.d.ts", "ts"),
        ]);
        let worker = ServiceWorker::for_site(dir.path());
        assert_eq!(
            worker.precache,
            [
                "/favicon.svg",
                "/offline.js",
                "/pkg/tabel.css",
                "/pkg/tabel.js",
                "/pkg/tabel.wasm"
            ]
        );
        assert!(worker
            .script()
            .contains(r#"["/favicon.svg", "/offline.js", "/pkg/tabel.css""#));
        assert!(worker
            .script()
            .contains(&format!("const VERSION = \"{}\";", worker.version)));
        assert!(!worker.script().contains("__TABEL_"));
    }

    #[test]
    fn the_version_changes_with_any_file_and_only_then() {
        let dir = site(&[("pkg/tabel.wasm", "one")]);
        let first = ServiceWorker::for_site(dir.path()).version;
        assert_eq!(ServiceWorker::for_site(dir.path()).version, first);
        std::fs::write(dir.path().join("pkg/tabel.wasm"), "two").unwrap();
        assert_ne!(ServiceWorker::for_site(dir.path()).version, first);
    }

    #[test]
    fn the_worker_reads_the_servers_author_cookie() {
        assert!(TEMPLATE.contains(&format!(
            "const AUTHOR_COOKIE = '{}';",
            app::domain::sync::AUTHOR_COOKIE
        )));
    }

    #[test]
    fn a_missing_site_still_gives_a_worker() {
        let worker = ServiceWorker::for_site(Path::new("/nonexistent/tabel-site"));
        assert!(worker.precache.is_empty());
        assert!(worker.script().contains("const PRECACHE = [];"));
    }

    /// A throwaway directory, removed on drop (no tempfile crate in the server).
    mod tempdir {
        use std::path::{Path, PathBuf};
        use std::sync::atomic::{AtomicU32, Ordering};

        pub struct Dir(PathBuf);

        impl Dir {
            pub fn new() -> Self {
                static NEXT: AtomicU32 = AtomicU32::new(0);
                let path = std::env::temp_dir().join(format!(
                    "tabel-sw-test-{}-{}",
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::Relaxed)
                ));
                std::fs::create_dir_all(&path).unwrap();
                Self(path)
            }

            pub fn path(&self) -> &Path {
                &self.0
            }
        }

        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }
}
