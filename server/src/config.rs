//! The server's settings: one table ([`SETTINGS`]) of every setting with its TOML key,
//! environment variable and default, read from (first wins) a command-line flag, the
//! environment, the TOML file, the default.
//!
//! Invariants:
//! - [`SETTINGS`] is the only list: loading, `plumbline-server config` and the docs
//!   page's table (`docs/server.md`, compared by a test) all come from it.
//! - Every variable `X` also has `X_FILE`: the value is read from that file (a systemd
//!   credential, a container secret), one trailing newline trimmed. Setting both is an
//!   error, as is a key the file should not have: a typo never passes silently.
//! - Secrets (the database password, the metrics token, a password inside the database
//!   URL) are never printed: [`Settings::render`] shows `***`.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the file comes from when `--config` is not given.
pub const CONFIG_ENV: &str = "PLUMBLINE_SERVER_CONFIG";

/// One setting, as the docs page lists it.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// The TOML key, `table.name`.
    pub key: &'static str,
    /// The environment variable (and, with `_FILE`, its file twin).
    pub env: &'static str,
    /// The command-line flag of `serve` (the database's also of the admin commands).
    pub flag: Option<&'static str>,
    /// The default, as text; empty when the setting has none.
    pub default: &'static str,
    /// Never printed.
    pub secret: bool,
    /// How the TOML file writes it.
    pub kind: Kind,
    /// What it does, for people.
    pub doc: &'static str,
}

/// How a setting is written in the TOML file (the environment always has text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text in quotes.
    Text,
    /// A whole number.
    Integer,
    /// A list of texts; comma-separated in the environment.
    List,
}

impl Kind {
    /// What a value of this kind must be, for messages.
    fn expected(self) -> &'static str {
        match self {
            Self::Text => "text in quotes",
            Self::Integer => "a whole number",
            Self::List => "a list of addresses in quotes",
        }
    }
}

const fn setting(
    key: &'static str,
    env: &'static str,
    default: &'static str,
    doc: &'static str,
) -> Setting {
    Setting {
        key,
        env,
        flag: None,
        default,
        secret: false,
        kind: Kind::Text,
        doc,
    }
}

/// Every setting of the server.
pub const SETTINGS: &[Setting] = &[
    Setting {
        flag: Some("--listen"),
        ..setting(
            "listen",
            "PLUMBLINE_SERVER_LISTEN",
            "127.0.0.1:8787",
            "Address and port the API listens on (port 0 picks a free one). Put a TLS proxy in front; the server speaks plain HTTP.",
        )
    },
    Setting {
        flag: Some("--database"),
        ..setting(
            "database.url",
            "PLUMBLINE_SERVER_DATABASE",
            "",
            "Required. `postgres://USER@HOST[:PORT]/DATABASE[?sslmode=…]`, `sqlite:///PATH` or `sqlite::memory:`.",
        )
    },
    Setting {
        secret: true,
        ..setting(
            "database.password",
            "PLUMBLINE_SERVER_DATABASE_PASSWORD",
            "",
            "The Postgres password, kept out of the URL (best as `…_PASSWORD_FILE`). Replaces a password in the URL.",
        )
    },
    Setting {
        kind: Kind::Integer,
        ..setting(
        "database.max_connections",
        "PLUMBLINE_SERVER_DATABASE_MAX_CONNECTIONS",
        "16",
        "Most connections this instance opens (several instances each open this many).",
    )
    },
    Setting {
        kind: Kind::Integer,
        ..setting(
        "database.min_connections",
        "PLUMBLINE_SERVER_DATABASE_MIN_CONNECTIONS",
        "0",
        "Connections kept open while idle.",
    )
    },
    Setting {
        kind: Kind::Integer,
        ..setting(
        "database.acquire_timeout_seconds",
        "PLUMBLINE_SERVER_DATABASE_ACQUIRE_TIMEOUT_SECONDS",
        "5",
        "How long a request waits for a free connection before it fails (and `/readyz` says not ready).",
    )
    },
    setting(
        "database.ssl_mode",
        "PLUMBLINE_SERVER_DATABASE_SSL_MODE",
        "",
        "Postgres TLS: `disable`, `prefer`, `require` (encrypted, certificate not checked), `verify-ca` or `verify-full` (certificate and host name checked; `verify-ca` checks the name too with this build). Default: the URL's `sslmode`, else `prefer`. Use `verify-full` across a network.",
    ),
    setting(
        "database.ssl_root_cert",
        "PLUMBLINE_SERVER_DATABASE_SSL_ROOT_CERT",
        "",
        "PEM file of the CA that signed the Postgres server's certificate (for `verify-ca`/`verify-full`), trusted beside the public web's roots. Default: the URL's `sslrootcert`.",
    ),
    setting(
        "log.format",
        "PLUMBLINE_SERVER_LOG_FORMAT",
        "auto",
        "`json` (one object a line, with the request id), `text`, or `auto`: text on a terminal, JSON otherwise.",
    ),
    setting(
        "log.filter",
        "PLUMBLINE_SERVER_LOG",
        "info,sqlx=warn",
        "Which lines are written: a level, or `tracing` directives such as `info,plumbline_server=debug`.",
    ),
    Setting {
        secret: true,
        ..setting(
            "metrics.token",
            "PLUMBLINE_SERVER_METRICS_TOKEN",
            "",
            "When set, `/metrics` answers only `Authorization: Bearer TOKEN`. Default: open (keep the port private).",
        )
    },
    Setting {
        kind: Kind::List,
        ..setting(
        "http.trusted_proxies",
        "PLUMBLINE_SERVER_TRUSTED_PROXIES",
        "",
        "Addresses of reverse proxies whose `X-Forwarded-For` names the client (comma-separated in the environment). The sign-in limits count per client address.",
    )
    },
    Setting {
        kind: Kind::Integer,
        ..setting(
        "shutdown.grace_seconds",
        "PLUMBLINE_SERVER_SHUTDOWN_GRACE_SECONDS",
        "30",
        "On SIGTERM: stop accepting, answer `/readyz` 503, and let requests in flight finish for at most this long.",
    )
    },
];

/// Why the settings could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    ReadFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the configuration file {path} is not valid TOML: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{0}")]
    Invalid(String),
}

/// Postgres TLS modes (libpq's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "disable" => Self::Disable,
            "prefer" => Self::Prefer,
            "require" => Self::Require,
            "verify-ca" => Self::VerifyCa,
            "verify-full" => Self::VerifyFull,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Prefer => "prefer",
            Self::Require => "require",
            Self::VerifyCa => "verify-ca",
            Self::VerifyFull => "verify-full",
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Auto,
    Json,
    Text,
}

/// The database part of the settings.
#[derive(Clone, Default)]
pub struct DatabaseSettings {
    pub url: Option<String>,
    pub password: Option<String>,
    pub max_connections: u32,
    pub min_connections: u32,
    pub acquire_timeout: Duration,
    pub ssl_mode: Option<SslMode>,
    pub ssl_root_cert: Option<PathBuf>,
}

impl std::fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &self.url.as_deref().map(crate::database::redact))
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("max_connections", &self.max_connections)
            .field("min_connections", &self.min_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .field("ssl_mode", &self.ssl_mode)
            .field("ssl_root_cert", &self.ssl_root_cert)
            .finish()
    }
}

impl DatabaseSettings {
    /// The defaults of [`SETTINGS`] for `url` (tests and tools).
    pub fn for_url(url: &str) -> Self {
        Self {
            url: Some(url.to_owned()),
            max_connections: 16,
            min_connections: 0,
            acquire_timeout: Duration::from_secs(5),
            ..Self::default()
        }
    }

    /// The URL, or the error saying how to give one.
    pub fn require_url(&self) -> Result<&str, ConfigError> {
        self.url.as_deref().ok_or_else(|| {
            ConfigError::Invalid(
                "no database: pass --database URL, set PLUMBLINE_SERVER_DATABASE, or set `url` in the [database] table of the configuration file".to_owned(),
            )
        })
    }
}

/// Every setting, typed. Its `Debug` is [`Settings::render`]: no secret in a log.
#[derive(Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub database: DatabaseSettings,
    pub log_format: LogFormat,
    pub log_filter: String,
    pub metrics_token: Option<String>,
    pub trusted_proxies: Vec<IpAddr>,
    pub shutdown_grace: Duration,
    /// The text value each setting had and where it came from, for `config`.
    values: BTreeMap<&'static str, (String, Source)>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Flag,
    Environment,
    File,
    Default,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Self::Flag => "command line",
            Self::Environment => "environment",
            Self::File => "configuration file",
            Self::Default => "default",
        }
    }
}

impl Settings {
    /// Reads the settings: `flags` (key → value) over the environment (`env`) over the
    /// file `file` (else the one `PLUMBLINE_SERVER_CONFIG` names) over the defaults.
    pub fn load(
        file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
        flags: &[(&str, String)],
    ) -> Result<Self, ConfigError> {
        let env_file = lookup(env, CONFIG_ENV)?.map(PathBuf::from);
        let path = file.map(Path::to_path_buf).or(env_file);
        let from_file = match &path {
            Some(path) => read_file(path)?,
            None => BTreeMap::new(),
        };
        let mut values = BTreeMap::new();
        for setting in SETTINGS {
            let flag = flags
                .iter()
                .find(|(key, _)| *key == setting.key)
                .map(|(_, value)| value.clone());
            let value = if let Some(value) = flag {
                Some((value, Source::Flag))
            } else if let Some(value) = lookup(env, setting.env)? {
                Some((value, Source::Environment))
            } else if let Some(value) = from_file.get(setting.key) {
                Some((value.clone(), Source::File))
            } else {
                (!setting.default.is_empty()).then(|| (setting.default.to_owned(), Source::Default))
            };
            if let Some(value) = value {
                values.insert(setting.key, value);
            }
        }
        Self::typed(values)
    }

    fn typed(values: BTreeMap<&'static str, (String, Source)>) -> Result<Self, ConfigError> {
        let text = |key: &str| {
            values
                .get(key)
                .map(|(value, _)| value.trim())
                .filter(|value| !value.is_empty())
        };
        fn number<T: std::str::FromStr>(
            key: &str,
            value: Option<&str>,
        ) -> Result<Option<T>, ConfigError> {
            value
                .map(|value| {
                    value
                        .parse::<T>()
                        .map_err(|_| invalid(key, value, Kind::Integer.expected()))
                })
                .transpose()
        }
        let parse_u64 = |key: &str| number::<u64>(key, text(key));
        let parse_u32 = |key: &str| number::<u32>(key, text(key));
        let listen = text("listen")
            .unwrap_or("127.0.0.1:8787")
            .parse::<SocketAddr>()
            .map_err(|_| {
                invalid(
                    "listen",
                    text("listen").unwrap_or_default(),
                    "an address and port such as 127.0.0.1:8787 or [::]:8787",
                )
            })?;
        let max_connections = parse_u32("database.max_connections")?.unwrap_or(16);
        if max_connections == 0 {
            return Err(invalid("database.max_connections", "0", "at least 1"));
        }
        let min_connections = parse_u32("database.min_connections")?.unwrap_or(0);
        if min_connections > max_connections {
            return Err(ConfigError::Invalid(format!(
                "database.min_connections ({min_connections}) is more than database.max_connections ({max_connections})"
            )));
        }
        let ssl_mode = text("database.ssl_mode")
            .map(|value| {
                SslMode::parse(value).ok_or_else(|| {
                    invalid(
                        "database.ssl_mode",
                        value,
                        "disable, prefer, require, verify-ca or verify-full",
                    )
                })
            })
            .transpose()?;
        let log_format = match text("log.format").unwrap_or("auto") {
            "auto" => LogFormat::Auto,
            "json" => LogFormat::Json,
            "text" => LogFormat::Text,
            other => return Err(invalid("log.format", other, "auto, json or text")),
        };
        let trusted_proxies = text("http.trusted_proxies")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| {
                        item.parse::<IpAddr>().map_err(|_| {
                            invalid(
                                "http.trusted_proxies",
                                item,
                                "IP addresses such as 10.0.0.5",
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        let database = DatabaseSettings {
            url: text("database.url").map(str::to_owned),
            password: values
                .get("database.password")
                .map(|(value, _)| value.clone())
                .filter(|value| !value.is_empty()),
            max_connections,
            min_connections,
            acquire_timeout: Duration::from_secs(
                parse_u64("database.acquire_timeout_seconds")?
                    .unwrap_or(5)
                    .max(1),
            ),
            ssl_mode,
            ssl_root_cert: text("database.ssl_root_cert").map(PathBuf::from),
        };
        Ok(Self {
            listen,
            database,
            log_format,
            log_filter: text("log.filter").unwrap_or("info,sqlx=warn").to_owned(),
            metrics_token: values
                .get("metrics.token")
                .map(|(value, _)| value.clone())
                .filter(|value| !value.is_empty()),
            trusted_proxies,
            shutdown_grace: Duration::from_secs(parse_u64("shutdown.grace_seconds")?.unwrap_or(30)),
            values,
        })
    }

    /// The effective settings as TOML, secrets as `***`, each line's source in a comment.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut table = "";
        for setting in SETTINGS {
            let (section, name) = match setting.key.split_once('.') {
                Some((section, name)) => (section, name),
                None => ("", setting.key),
            };
            if section != table {
                out.push_str(&format!("\n[{section}]\n"));
                table = section;
            }
            match self.values.get(setting.key) {
                Some((value, source)) => {
                    let shown = if setting.secret {
                        "***".to_owned()
                    } else if setting.key == "database.url" {
                        crate::database::redact(value)
                    } else {
                        value.clone()
                    };
                    let rendered = match setting.kind {
                        Kind::List => {
                            let items: Vec<String> = shown
                                .split(',')
                                .map(str::trim)
                                .filter(|item| !item.is_empty())
                                .map(toml_string)
                                .collect();
                            format!("[{}]", items.join(", "))
                        }
                        Kind::Integer => shown,
                        Kind::Text => toml_string(&shown),
                    };
                    out.push_str(&format!("{name} = {rendered}  # {}\n", source.name()));
                }
                None => out.push_str(&format!("# {name} is not set\n")),
            }
        }
        out.trim_start().to_owned()
    }
}

/// The docs page's table of every setting (Markdown).
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| Setting (TOML) | Environment (`…_FILE` too) | Flag | Default | What it does |\n|---|---|---|---|---|\n",
    );
    for setting in SETTINGS {
        let default = if setting.default.is_empty() {
            "—".to_owned()
        } else {
            format!("`{}`", setting.default)
        };
        out.push_str(&format!(
            "| `{}` | `{}` | {} | {} | {}{} |\n",
            setting.key,
            setting.env,
            setting
                .flag
                .map_or_else(|| "—".to_owned(), |flag| format!("`{flag}`")),
            default,
            setting.doc,
            if setting.secret {
                " Secret: never printed."
            } else {
                ""
            },
        ));
    }
    out
}

fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn invalid(key: &str, value: &str, expected: &str) -> ConfigError {
    let setting = SETTINGS.iter().find(|s| s.key == key);
    let shown = if setting.is_some_and(|s| s.secret) {
        "***"
    } else {
        value
    };
    let env = setting.map_or("", |s| s.env);
    ConfigError::Invalid(format!("{key} ({env}) is {shown:?}; it must be {expected}"))
}

/// `name` from the environment, or from the file `name_FILE` names.
fn lookup(env: &dyn Fn(&str) -> Option<String>, name: &str) -> Result<Option<String>, ConfigError> {
    let file_var = format!("{name}_FILE");
    match (env(name), env(&file_var)) {
        (Some(_), Some(_)) => Err(ConfigError::Invalid(format!(
            "both {name} and {file_var} are set: keep one"
        ))),
        (Some(value), None) => Ok(Some(value)),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(&path).map_err(|error| {
                ConfigError::Invalid(format!(
                    "{file_var} names {path}, which cannot be read: {error}"
                ))
            })?;
            let text = text.strip_suffix('\n').unwrap_or(&text);
            let text = text.strip_suffix('\r').unwrap_or(text);
            Ok(Some(text.to_owned()))
        }
        (None, None) => Ok(None),
    }
}

/// The file's settings flattened to `table.key` → text; unknown keys and wrong types
/// are refused.
fn read_file(path: &Path) -> Result<BTreeMap<String, String>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    let table: toml::Table = text
        .parse()
        .map_err(|error: toml::de::Error| ConfigError::Parse {
            path: path.to_path_buf(),
            message: error.to_string(),
        })?;
    let mut out = BTreeMap::new();
    flatten(path, "", &table, &mut out)?;
    Ok(out)
}

fn flatten(
    path: &Path,
    prefix: &str,
    table: &toml::Table,
    out: &mut BTreeMap<String, String>,
) -> Result<(), ConfigError> {
    for (name, value) in table {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let unknown = || {
            let suggestion = SETTINGS
                .iter()
                .map(|s| s.key)
                .filter(|k| k.starts_with(&format!("{key}.")) || k.ends_with(&format!(".{name}")))
                .collect::<Vec<_>>();
            let hint = if suggestion.is_empty() {
                String::new()
            } else {
                format!(" (did you mean {}?)", suggestion.join(" or "))
            };
            ConfigError::Invalid(format!(
                "{}: unknown setting `{key}`{hint}; `plumbline-server config --help` and docs/server.md list them",
                path.display()
            ))
        };
        let kind = SETTINGS.iter().find(|s| s.key == key).map(|s| s.kind);
        match value {
            toml::Value::Table(inner) => {
                if !SETTINGS
                    .iter()
                    .any(|s| s.key.starts_with(&format!("{key}.")))
                {
                    return Err(unknown());
                }
                flatten(path, &key, inner, out)?;
            }
            _ if kind.is_none() => return Err(unknown()),
            toml::Value::String(text) => {
                out.insert(key, text.clone());
            }
            toml::Value::Integer(number) if kind == Some(Kind::Integer) => {
                out.insert(key, number.to_string());
            }
            toml::Value::Array(items) if kind == Some(Kind::List) => {
                let mut list = Vec::new();
                for item in items {
                    match item {
                        toml::Value::String(text) => list.push(text.clone()),
                        _ => {
                            return Err(ConfigError::Invalid(format!(
                                "{}: `{key}` is {}",
                                path.display(),
                                Kind::List.expected()
                            )))
                        }
                    }
                }
                out.insert(key, list.join(","));
            }
            other => {
                return Err(ConfigError::Invalid(format!(
                    "{}: `{key}` is {}; it must be {}",
                    path.display(),
                    other.type_str(),
                    kind.unwrap_or(Kind::Text).expected()
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn flags_beat_the_environment_which_beats_the_file_which_beats_defaults() {
        let dir = tempfile::tempdir().expect("dir");
        let file = write(
            dir.path(),
            "server.toml",
            "listen = \"127.0.0.1:9000\"\n[database]\nurl = \"sqlite:///from-file.db\"\nmax_connections = 4\n[shutdown]\ngrace_seconds = 7\n",
        );
        let env = env_of(&[("PLUMBLINE_SERVER_DATABASE", "sqlite:///from-env.db")]);
        let settings = Settings::load(
            Some(&file),
            &env,
            &[("listen", "127.0.0.1:9100".to_owned())],
        )
        .expect("load");
        assert_eq!(settings.listen.to_string(), "127.0.0.1:9100");
        assert_eq!(
            settings.database.url.as_deref(),
            Some("sqlite:///from-env.db")
        );
        assert_eq!(settings.database.max_connections, 4);
        assert_eq!(settings.database.min_connections, 0);
        assert_eq!(settings.shutdown_grace, Duration::from_secs(7));
        assert_eq!(settings.log_filter, "info,sqlx=warn");
        let rendered = settings.render();
        assert!(
            rendered.contains("listen = \"127.0.0.1:9100\"  # command line"),
            "{rendered}"
        );
        assert!(
            rendered.contains("url = \"sqlite:///from-env.db\"  # environment"),
            "{rendered}"
        );
        assert!(
            rendered.contains("max_connections = 4  # configuration file"),
            "{rendered}"
        );
        assert!(
            rendered.contains("grace_seconds = 7  # configuration file"),
            "{rendered}"
        );
        assert!(
            rendered.contains("min_connections = 0  # default"),
            "{rendered}"
        );
        // What `config` prints is a configuration file the server reads back.
        let again = write(dir.path(), "again.toml", &rendered);
        let reread = Settings::load(Some(&again), &env_of(&[]), &[]).expect("reload");
        assert_eq!(reread.listen.to_string(), "127.0.0.1:9100");
        assert_eq!(reread.database.max_connections, 4);
    }

    #[test]
    fn secrets_come_from_files_and_are_never_printed() {
        let dir = tempfile::tempdir().expect("dir");
        let password = write(dir.path(), "password", "s3cret-from-file\n");
        let env = env_of(&[
            (
                "PLUMBLINE_SERVER_DATABASE",
                "postgres://app:in-url@db/plumbline",
            ),
            (
                "PLUMBLINE_SERVER_DATABASE_PASSWORD_FILE",
                password.to_str().expect("utf-8"),
            ),
            ("PLUMBLINE_SERVER_METRICS_TOKEN", "metrics-token-value"),
        ]);
        let settings = Settings::load(None, &env, &[]).expect("load");
        assert_eq!(
            settings.database.password.as_deref(),
            Some("s3cret-from-file")
        );
        assert_eq!(
            settings.metrics_token.as_deref(),
            Some("metrics-token-value")
        );
        let rendered = settings.render();
        let debug = format!("{settings:?}");
        for shown in [&rendered, &debug] {
            assert!(!shown.contains("s3cret-from-file"), "{shown}");
            assert!(!shown.contains("in-url"), "{shown}");
            assert!(!shown.contains("metrics-token-value"), "{shown}");
        }
        assert!(
            rendered.contains("password = \"***\"  # environment"),
            "{rendered}"
        );
    }

    #[test]
    fn mistakes_are_refused_with_what_to_do() {
        let dir = tempfile::tempdir().expect("dir");
        /// The file, the environment, and what the error must say.
        type Case<'a> = (PathBuf, Vec<(&'a str, &'a str)>, &'a str);
        let cases: Vec<Case> = vec![
            (
                write(dir.path(), "typo.toml", "[database]\nmax_conections = 4\n"),
                vec![],
                "unknown setting `database.max_conections`",
            ),
            (
                write(dir.path(), "section.toml", "[databse]\nurl = \"x\"\n"),
                vec![],
                "unknown setting `databse`",
            ),
            (
                write(dir.path(), "type.toml", "[database]\nmax_connections = \"many\"\n"),
                vec![],
                "database.max_connections (PLUMBLINE_SERVER_DATABASE_MAX_CONNECTIONS) is \"many\"; it must be a whole number",
            ),
            (
                write(dir.path(), "listen.toml", "listen = 8787\n"),
                vec![],
                "`listen` is integer; it must be text in quotes",
            ),
            (
                write(dir.path(), "bad.toml", "listen = \n"),
                vec![],
                "is not valid TOML",
            ),
            (
                write(dir.path(), "ok.toml", ""),
                vec![
                    ("PLUMBLINE_SERVER_METRICS_TOKEN", "a"),
                    ("PLUMBLINE_SERVER_METRICS_TOKEN_FILE", "/nonexistent"),
                ],
                "both PLUMBLINE_SERVER_METRICS_TOKEN and PLUMBLINE_SERVER_METRICS_TOKEN_FILE are set",
            ),
            (
                write(dir.path(), "ok2.toml", ""),
                vec![("PLUMBLINE_SERVER_DATABASE_PASSWORD_FILE", "/nonexistent/pw")],
                "PLUMBLINE_SERVER_DATABASE_PASSWORD_FILE names /nonexistent/pw, which cannot be read",
            ),
            (
                write(dir.path(), "ok3.toml", ""),
                vec![("PLUMBLINE_SERVER_DATABASE_SSL_MODE", "verify")],
                "must be disable, prefer, require, verify-ca or verify-full",
            ),
            (
                write(dir.path(), "ok4.toml", ""),
                vec![("PLUMBLINE_SERVER_TRUSTED_PROXIES", "10.0.0.1, proxy")],
                "\"proxy\"; it must be IP addresses",
            ),
            (
                write(dir.path(), "ok5.toml", "[database]\nmin_connections = 9\nmax_connections = 2\n"),
                vec![],
                "min_connections (9) is more than database.max_connections (2)",
            ),
        ];
        for (file, env, expected) in cases {
            let error = Settings::load(Some(&file), &env_of(&env), &[])
                .expect_err("refused")
                .to_string();
            assert!(
                error.contains(expected),
                "{error:?} should contain {expected:?}"
            );
        }
        let missing = Settings::load(Some(&dir.path().join("absent.toml")), &env_of(&[]), &[])
            .expect_err("a missing file is an error")
            .to_string();
        assert!(
            missing.contains("cannot read the configuration file"),
            "{missing}"
        );
        let none = Settings::load(None, &env_of(&[]), &[]).expect("defaults");
        let error = none.database.require_url().expect_err("no url").to_string();
        assert!(error.contains("--database"), "{error}");
    }

    #[test]
    fn the_config_variable_names_the_file_and_lists_join() {
        let dir = tempfile::tempdir().expect("dir");
        let file = write(
            dir.path(),
            "server.toml",
            "[http]\ntrusted_proxies = [\"10.0.0.5\", \"::1\"]\n[log]\nformat = \"json\"\n",
        );
        let env = env_of(&[(CONFIG_ENV, file.to_str().expect("utf-8"))]);
        let settings = Settings::load(None, &env, &[]).expect("load");
        assert_eq!(settings.log_format, LogFormat::Json);
        assert_eq!(
            settings.trusted_proxies,
            vec![
                "10.0.0.5".parse::<IpAddr>().expect("ip"),
                "::1".parse().expect("ip")
            ]
        );
        assert!(settings
            .render()
            .contains("trusted_proxies = [\"10.0.0.5\", \"::1\"]  # configuration file"));
    }

    #[test]
    fn the_docs_page_lists_every_setting_as_the_code_does() {
        let docs =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/server.md"))
                .expect("docs/server.md exists");
        assert!(
            docs.contains(&markdown_table()),
            "docs/server.md's settings table differs from the code's: replace it with the output of `plumbline-server config --table`"
        );
    }
}
