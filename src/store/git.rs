//! The system `git`, driven as a dumb carrier of opaque files.
//!
//! `sync` uses git only as a transport: a bare repository under
//! `local/sync/repo.git` (never a work tree, never an index), filled and read
//! with plumbing commands (`hash-object`, `mktree`, `commit-tree`,
//! `ls-tree`, `cat-file`), and `fetch`/`push` to one branch of one remote.
//! The user's own git and SSH set-up applies (URLs, keys, credential
//! helpers), but nothing about them reaches the remote: every commit has the
//! same neutral author, committer, date and message, hooks are switched off,
//! and commit signing is refused. Like the rest of the store, this module
//! knows names and bytes, never plaintext or keys.

use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

/// The one branch the vault lives on, on every remote.
pub const BRANCH: &str = "refs/heads/vault";
/// Where the last fetched state of the remote is kept.
const REMOTE_REF: &str = "refs/remotes/origin/vault";
/// The neutral identity and date every commit carries.
const WHO: &str = "dossier";
const EMAIL: &str = "dossier@invalid";
const DATE: &str = "946684800 +0000";
/// The message of every commit.
pub const MESSAGE: &str = "vault";

/// A bare repository used as a staging area for one remote.
pub struct Git {
    dir: PathBuf,
}

/// A tree of the vault as git holds it: `heads/NAME` or `objects/NAME` to blob id.
pub type Tree = BTreeMap<String, String>;

fn missing_git() -> Error {
    Error::Invalid(
        "`git` was not found on PATH: sync carries the vault with the system git; install git (e.g. `apt-get install git`)"
            .into(),
    )
}

impl Git {
    /// Creates the bare repository at `dir`, pointing at `url`.
    pub fn init(dir: &Path, url: &str) -> Result<Git> {
        let dir = std::path::absolute(dir).map_err(|e| Error::io(dir, e))?;
        let git = Git { dir: dir.clone() };
        git.run_init(&dir)?;
        git.run(&["config", "remote.origin.url", url], None)?;
        git.run(
            &["config", "remote.origin.fetch", &format!("+{BRANCH}:{REMOTE_REF}")],
            None,
        )?;
        Ok(git)
    }

    /// Opens the repository at `dir`, if there is one.
    pub fn open(dir: &Path) -> Option<Git> {
        let dir = std::path::absolute(dir).ok()?;
        dir.join("HEAD").is_file().then_some(Git { dir })
    }

    /// The remote's URL, as configured.
    pub fn url(&self) -> Result<String> {
        let out = self.run(&["config", "--get", "remote.origin.url"], None)?;
        Ok(String::from_utf8_lossy(&out).trim().to_string())
    }

    fn command(&self) -> Command {
        let mut c = Command::new("git");
        c.arg("--git-dir")
            .arg(&self.dir)
            .args(["-c", &format!("user.name={WHO}")])
            .args(["-c", &format!("user.email={EMAIL}")])
            .args(["-c", "core.hooksPath=/dev/null"])
            .args(["-c", "commit.gpgSign=false"])
            .args(["-c", "tag.gpgSign=false"])
            .args(["-c", "push.gpgSign=false"])
            .args(["-c", "gc.auto=0"])
            // Only transports that move data, never one that runs a command
            // (`ext::`), whatever the user's own configuration allows.
            .args(["-c", "protocol.allow=never"])
            .args(["-c", "protocol.file.allow=always"])
            .args(["-c", "protocol.git.allow=always"])
            .args(["-c", "protocol.ssh.allow=always"])
            .args(["-c", "protocol.https.allow=always"])
            .args(["-c", "protocol.http.allow=always"])
            .env_remove("GIT_CONFIG_PARAMETERS")
            .env_remove("GIT_CONFIG_COUNT")
            .env_remove("GIT_ALLOW_PROTOCOL")
            .env("GIT_AUTHOR_NAME", WHO)
            .env("GIT_AUTHOR_EMAIL", EMAIL)
            .env("GIT_AUTHOR_DATE", DATE)
            .env("GIT_COMMITTER_NAME", WHO)
            .env("GIT_COMMITTER_EMAIL", EMAIL)
            .env("GIT_COMMITTER_DATE", DATE)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("GIT_OBJECT_DIRECTORY")
            .env_remove("GIT_ALTERNATE_OBJECT_DIRECTORIES")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Result<Vec<u8>> {
        let mut c = self.command();
        c.args(args);
        exec(c, args, stdin)
    }

    /// `git init --bare DIR`, without the hook samples of a template.
    fn run_init(&self, dir: &Path) -> Result<Vec<u8>> {
        let mut c = Command::new("git");
        c.args(["-c", "core.hooksPath=/dev/null", "-c", "init.templateDir="])
            .args(["init", "--quiet", "--bare", "--template="])
            .arg(dir)
            .env_remove("GIT_DIR")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        exec(c, &["init"], None)
    }

    /// Fetches the remote's branch; returns its commit, or `None` if the remote has none yet.
    pub fn fetch(&self) -> Result<Option<String>> {
        // Only the vault's branch: a remote's other branches are not ours to
        // store. Asked for by name, a branch that does not exist yet is an
        // error; only then is the remote asked whether it has one at all.
        let refspec = format!("+{BRANCH}:{REMOTE_REF}");
        if let Err(e) = self.run(&["fetch", "--quiet", "--no-tags", "origin", &refspec], None) {
            let heads = self.run(&["ls-remote", "--heads", "origin", BRANCH], None)?;
            if heads.iter().all(u8::is_ascii_whitespace) {
                return Ok(None);
            }
            return Err(e);
        }
        self.resolve(REMOTE_REF)
    }

    /// The remote's commit as last fetched, without going to the network.
    pub fn fetched(&self) -> Result<Option<String>> {
        self.resolve(REMOTE_REF)
    }

    /// The commit a ref names, if it exists.
    pub fn resolve(&self, name: &str) -> Result<Option<String>> {
        let mut c = self.command();
        c.args(["rev-parse", "--verify", "--quiet", &format!("{name}^{{commit}}")]);
        let out = c.output().map_err(spawn_error)?;
        if !out.status.success() {
            return Ok(None);
        }
        Ok(Some(String::from_utf8_lossy(&out.stdout).trim().to_string()))
    }

    /// Points a local ref at a commit.
    pub fn set_ref(&self, name: &str, commit: &str) -> Result<()> {
        self.run(&["update-ref", name, commit], None).map(drop)
    }

    /// Every file of a commit's tree, by path. Anything that is not a plain
    /// file is returned with an empty id, so the caller can refuse it.
    pub fn tree(&self, commit: &str) -> Result<Tree> {
        let out = self.run(&["ls-tree", "-r", "-z", "--full-tree", commit], None)?;
        Ok(parse_tree(&out))
    }

    /// Writes blobs into files, each `(blob id, path)`, streamed from `git
    /// cat-file --batch` through a fixed buffer: a blob of any size (a
    /// document's content may be GiBs) is never held in memory. Each file is
    /// created anew (mode 0600 on unix) and flushed to disk.
    pub fn blobs_to_files(&self, items: &[(String, PathBuf)]) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let mut c = self.command();
        c.args(["cat-file", "--batch"]);
        let mut child = c.spawn().map_err(spawn_error)?;
        let mut input = String::new();
        for (id, _) in items {
            input.push_str(id);
            input.push('\n');
        }
        let mut stdin = child.stdin.take().ok_or_else(|| git_failed("cat-file", "no stdin"))?;
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let copied = match child.stdout.take() {
            Some(so) => copy_blobs(&mut std::io::BufReader::with_capacity(1 << 16, so), items),
            None => Err(git_failed("cat-file", "no stdout")),
        };
        if copied.is_err() {
            let _ = child.kill();
        }
        let _ = writer.join();
        let status = child.wait().map_err(spawn_error)?;
        copied?;
        if !status.success() {
            return Err(git_failed("cat-file", "failed"));
        }
        Ok(())
    }

    /// Blob ids of files, in order; `store` also writes them into the
    /// repository (only what is pushed needs to be kept there).
    pub fn hash_files(&self, paths: &[PathBuf], store: bool) -> Result<Vec<String>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let mut input = String::new();
        for p in paths {
            input.push_str(&p.to_string_lossy());
            input.push('\n');
        }
        let args: &[&str] = if store {
            &["hash-object", "-w", "--no-filters", "--stdin-paths"]
        } else {
            &["hash-object", "--no-filters", "--stdin-paths"]
        };
        let out = self.run(args, Some(input.as_bytes()))?;
        let ids: Vec<String> = String::from_utf8_lossy(&out).lines().map(str::to_string).collect();
        if ids.len() != paths.len() {
            return Err(git_failed("hash-object", "wrong number of ids"));
        }
        Ok(ids)
    }

    /// Makes a commit of `tree` (paths `heads/NAME`, `objects/NAME`) on `parents`.
    pub fn commit(&self, tree: &Tree, parents: &[String]) -> Result<String> {
        let mut subtrees = Vec::new();
        for dir in ["heads", "objects"] {
            let mut listing = String::new();
            for (path, id) in tree {
                if let Some(name) = path.strip_prefix(dir).and_then(|p| p.strip_prefix('/')) {
                    listing.push_str(&format!("100644 blob {id}\t{name}\n"));
                }
            }
            let out = self.run(&["mktree"], Some(listing.as_bytes()))?;
            subtrees.push((dir, String::from_utf8_lossy(&out).trim().to_string()));
        }
        let root: String = subtrees
            .iter()
            .map(|(dir, id)| format!("040000 tree {id}\t{dir}\n"))
            .collect();
        let root = String::from_utf8_lossy(&self.run(&["mktree"], Some(root.as_bytes()))?)
            .trim()
            .to_string();
        let mut args = vec!["commit-tree".to_string(), root, "-m".into(), MESSAGE.into()];
        for p in parents {
            args.push("-p".into());
            args.push(p.clone());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Ok(String::from_utf8_lossy(&self.run(&args, None)?).trim().to_string())
    }

    /// Pushes `commit` to the remote's branch without forcing. `Ok(false)`
    /// when the remote moved on since the fetch (fetch and merge again).
    pub fn push(&self, commit: &str) -> Result<bool> {
        let mut c = self.command();
        let spec = format!("{commit}:{BRANCH}");
        c.args(["push", "--quiet", "--porcelain", "--no-verify", "origin", &spec]);
        let out = c.output().map_err(spawn_error)?;
        if out.status.success() {
            return Ok(true);
        }
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // Another push got there first: a plain rejection, or, on a remote
        // on local disk, the ref changing under the remote's own lock.
        let raced = said.contains("[rejected]")
            || said.contains("non-fast-forward")
            || said.contains("fetch first")
            || (said.contains("[remote rejected]") && said.contains("cannot lock ref"));
        if raced {
            return Ok(false);
        }
        Err(git_failed("push", &said))
    }
}

/// Parses `git ls-tree -r -z` output: NUL-ended `MODE TYPE ID\tPATH`
/// lines. Anything that is not a plain file gets an empty id, so the caller
/// can refuse it.
#[doc(hidden)]
pub fn parse_tree(out: &[u8]) -> Tree {
    let mut tree = Tree::new();
    for line in out.split(|&b| b == 0).filter(|l| !l.is_empty()) {
        let line = String::from_utf8_lossy(line);
        let Some((meta, path)) = line.split_once('\t') else {
            continue;
        };
        let parts: Vec<&str> = meta.split(' ').collect();
        let id = match parts.as_slice() {
            ["100644", "blob", id] => id.to_string(),
            _ => String::new(),
        };
        tree.insert(path.to_string(), id);
    }
    tree
}

/// Parses one header line of `git cat-file --batch` output (`ID blob
/// SIZE`, its newline included or not) for the blob `id` asked: its size.
#[doc(hidden)]
pub fn parse_blob_header(header: &[u8], id: &str) -> Result<u64> {
    let header = String::from_utf8_lossy(header).trim_end().to_string();
    let mut parts = header.split(' ');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(got), Some("blob"), Some(size), None) if got == id => size
            .parse()
            .map_err(|_| git_failed("cat-file", &format!("unexpected '{header}'"))),
        _ => Err(git_failed("cat-file", &format!("unexpected '{header}'"))),
    }
}

/// Reads `cat-file --batch` output: for each item, a header line `ID blob
/// SIZE`, then SIZE bytes, then a newline.
fn copy_blobs(out: &mut impl BufRead, items: &[(String, PathBuf)]) -> Result<()> {
    for (id, path) in items {
        let mut header = Vec::new();
        out.read_until(b'\n', &mut header)
            .map_err(|e| git_failed("cat-file", &e.to_string()))?;
        let size = parse_blob_header(&header, id)?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(|e| Error::io(path, e))?;
        let copied = std::io::copy(&mut out.by_ref().take(size), &mut file).map_err(|e| Error::io(path, e))?;
        if copied != size {
            return Err(git_failed("cat-file", "short output"));
        }
        file.sync_all().map_err(|e| Error::io(path, e))?;
        let mut newline = [0u8; 1];
        out.read_exact(&mut newline)
            .map_err(|e| git_failed("cat-file", &e.to_string()))?;
    }
    Ok(())
}

fn exec(mut c: Command, args: &[&str], stdin: Option<&[u8]>) -> Result<Vec<u8>> {
    let mut child = c.spawn().map_err(spawn_error)?;
    let input = stdin.map(<[u8]>::to_vec).unwrap_or_default();
    let mut pipe = child.stdin.take();
    let writer = std::thread::spawn(move || {
        if let Some(p) = pipe.as_mut() {
            let _ = p.write_all(&input);
        }
        drop(pipe);
    });
    let out = child.wait_with_output().map_err(spawn_error)?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(git_failed(
            args.first().copied().unwrap_or("git"),
            &String::from_utf8_lossy(&out.stderr),
        ));
    }
    Ok(out.stdout)
}

fn spawn_error(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::NotFound {
        missing_git()
    } else {
        Error::Vault(format!("could not run git: {e}"))
    }
}

fn git_failed(what: &str, stderr: &str) -> Error {
    let said: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let said = said.join("; ");
    Error::Vault(format!("git {what} failed: {said}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_output_is_split_into_files_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let items = vec![
            ("aa".to_string(), dir.path().join("one")),
            ("bb".to_string(), dir.path().join("two")),
        ];
        let out = b"aa blob 3\nabc\nbb blob 0\n\n".to_vec();
        copy_blobs(&mut std::io::Cursor::new(out), &items).unwrap();
        assert_eq!(std::fs::read(dir.path().join("one")).unwrap(), b"abc");
        assert_eq!(std::fs::read(dir.path().join("two")).unwrap(), b"");

        // Another blob than asked, a missing one, or output cut short: refused.
        for (n, out) in [
            &b"cc blob 3\nabc\n"[..],
            b"aa missing\n",
            b"aa blob 10\nabc",
            b"aa tree 3\nabc\n",
        ]
        .into_iter()
        .enumerate()
        {
            let to = vec![("aa".to_string(), dir.path().join(format!("bad{n}")))];
            let err = copy_blobs(&mut std::io::Cursor::new(out.to_vec()), &to).expect_err("refused");
            assert!(err.to_string().contains("cat-file"), "{err}");
        }
    }
}
