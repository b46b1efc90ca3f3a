//! Team sync over git: fetch, check, import, join forks, push.
//!
//! The vault's layout already merges without conflicts: objects are never
//! changed in meaning (a rotation re-seals the same plaintext), and each
//! device writes only its own head of each log. So a sync is a union of two
//! file sets, decided file by file against the last state both sides agreed
//! on (the *base*, a local git ref), with these rules:
//!
//! - a file only one side has is taken from that side; a file the remote
//!   dropped since the base is a problem (dossier never deletes one);
//! - a file changed on one side only since the base is taken from that side,
//!   after checking that, where this identity can open both, the plaintext is
//!   the same (an object) or the head moved forward (a head: a higher
//!   `serial`, never one of this device's own heads, never a lower serial);
//! - a file changed on both sides with the same plaintext (two rotations) is
//!   settled the same way on every device: the copy with the smaller git blob
//!   id wins, and the fork check below re-seals the log if access changed;
//! - a file this identity could open and the remote's copy cannot is taken
//!   only if no head of its log stays readable (a rotation shut this member
//!   out); otherwise it was replaced, and that is a problem.
//!
//! Everything fetched is streamed into `local/sync/fetch` (never held whole
//! in memory: a document's content may be GiBs), then assembled in
//! `local/sync/stage` (hard links to the local files plus the remote's
//! changes) and checked there like `verify` checks a vault. A problem
//! leaves out its whole log (or, when no log can be told, its file) and the
//! rest is checked again, until what is left passes: one bad file on the
//! remote stops one case, not the team. Then the files are moved into the
//! vault, under its lock, each head in its own journaled write
//! (docs/FORMAT.md §11), so a sync killed part way leaves a vault that loads
//! and verifies. Then each log with more than one tip gets a signed `merge`
//! entry, or, when a branch changed who may read the case, a full rotation
//! (whose `rotate` entry joins the branches) so files sealed to old keys on
//! a late device are sealed anew. Last, the vault's files become one commit
//! pushed without force, with the remote's own copy of every refused file
//! (a push never rolls back or deletes what it could not accept); if the
//! remote moved meanwhile, the sync starts over.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::crypto::{identity::Identity, seal};
use crate::error::{Error, Result};
use crate::format::entry::{Kind, MergeBody};
use crate::format::head::{Head, LogKind};
use crate::format::segment::Segment;
use crate::format::{cbor, EntryId, LogId};
use crate::store::git::{Git, Tree};
use crate::store::{atomic, failpoint, is_object_name, Area, Lock, Mode, Replace, Store};

use super::access::Silent;
use super::log::{self, Problem, MAX_OBJECT_PLAINTEXT};
use super::Vault;

/// The last remote state this copy imported or pushed.
const BASE_REF: &str = "refs/dossier/base";

fn sync_dir(root: &Path) -> PathBuf {
    root.join("local/sync")
}

fn repo_dir(root: &Path) -> PathBuf {
    sync_dir(root).join("repo.git")
}

/// What a sync did.
#[derive(Default, Debug)]
pub struct Synced {
    /// Files taken from the remote.
    pub imported: usize,
    /// Logs whose forks got a merge entry ("the roster" or case names).
    pub merged: Vec<String>,
    /// Cases re-sealed because a branch changed who may read them.
    pub rotated: Vec<String>,
    /// Whether a new commit went to the remote.
    pub pushed: bool,
    /// What the remote holds that fails its checks and was left out, each
    /// file once; the logs they belong to were not imported at all. Not
    /// empty: the sync did what it could and must still end in failure.
    pub refused: Vec<Problem>,
}

/// How a sync ended.
pub enum Outcome {
    Done(Synced),
    /// What the remote holds fails its checks in a way no single log or file
    /// can be left out for; nothing was imported.
    Refused(Vec<Problem>),
}

/// Where a log stands against the remote as last fetched.
pub struct LogStatus {
    /// "roster" or the case name.
    pub log: String,
    /// Entries here that the remote lacks.
    pub ahead: usize,
    /// Entries on the remote that are not here.
    pub behind: usize,
}

/// What `sync status` shows.
pub struct Status {
    pub url: String,
    /// When this copy last finished a sync (RFC 3339), if ever.
    pub last: Option<String>,
    /// Whether a fetch ever found the remote's branch.
    pub fetched: bool,
    pub logs: Vec<LogStatus>,
}

/// Points the vault at `url` for `sync`.
pub fn init(root: &Path, url: &str) -> Result<()> {
    let _store = Store::open(root, Mode::Exclusive)?;
    if let Some(git) = Git::open(&repo_dir(root)) {
        return Err(Error::Invalid(format!(
            "this vault already syncs with {}; nothing was changed",
            git.url()?
        )));
    }
    if url.trim().is_empty() || url.starts_with('-') {
        return Err(Error::Invalid(format!(
            "'{}' is not a git remote URL",
            url.escape_debug()
        )));
    }
    make_private_dir(&sync_dir(root))?;
    let made = Git::init(&repo_dir(root), url);
    if made.is_err() {
        let _ = std::fs::remove_dir_all(sync_dir(root));
    }
    made.map(drop)
}

/// Makes a new vault at `root` from the remote at `url`, with a new device id.
pub fn clone(root: &Path, url: &str, identity: Identity) -> Result<(Outcome, Identity)> {
    let existed = root.exists();
    drop(Store::create(root)?);
    let undo = |root: &Path| {
        if existed {
            if let Ok(list) = std::fs::read_dir(root) {
                for e in list.flatten() {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        } else {
            let _ = std::fs::remove_dir_all(root);
        }
    };
    let result = init(root, url).and_then(|()| {
        let git = Git::open(&repo_dir(root)).ok_or_else(|| Error::Vault("git set-up failed".into()))?;
        if git.fetch()?.is_none() {
            return Err(Error::Invalid(format!("the remote {url} holds no vault yet")));
        }
        sync(root, identity, &[])
    });
    match result {
        Ok((Outcome::Done(s), id)) => Ok((Outcome::Done(s), id)),
        Ok((refused, id)) => {
            undo(root);
            Ok((refused, id))
        }
        Err(e) => {
            undo(root);
            Err(e)
        }
    }
}

/// Fetches, checks, imports, joins forks and pushes.
/// `forget` names cases this member accepts they can no longer open (they
/// were revoked): only for those may the remote's copies, which this
/// identity cannot open, replace the readable ones here.
pub fn sync(root: &Path, mut identity: Identity, forget: &[String]) -> Result<(Outcome, Identity)> {
    let git = Git::open(&repo_dir(root))
        .ok_or_else(|| Error::Invalid("this vault has no remote yet: run `dossier sync init --remote URL`".into()))?;
    let _serial = Lock::acquire(&sync_dir(root).join("lock"), root, Mode::Exclusive)?;
    // What every attempt did: a retry after a lost push race adds to it.
    let mut synced = Synced::default();
    for _ in 0..5 {
        let remote = git.fetch()?;
        let (pulled, id) = pull(root, &git, remote.as_deref(), identity, forget)?;
        identity = id;
        match pulled.outcome {
            Outcome::Refused(p) => return Ok((Outcome::Refused(p), identity)),
            Outcome::Done(s) => {
                synced.imported += s.imported;
                // Only the last attempt's refusals stand.
                synced.refused = s.refused;
            }
        }
        let mut vault = Vault::open(root, identity, true)?;
        let joined = vault.join_forks();
        identity = vault.into_identity();
        let (merged, rotated) = joined?;
        synced.merged.extend(merged);
        synced.rotated.extend(rotated);
        if let Some(pushed) = push(root, &git, remote.as_deref(), &pulled.held)? {
            synced.pushed = pushed;
            let path = sync_dir(root).join("last");
            atomic::write_with(&path, Replace::Atomically, |f| {
                std::io::Write::write_all(f, super::now().as_bytes())
            })?;
            return Ok((Outcome::Done(synced), identity));
        }
    }
    Err(Error::Vault(
        "the remote kept changing while this sync ran; run `dossier sync` again".into(),
    ))
}

/// Where the vault stands against the remote as last fetched (no network).
pub fn status(root: &Path, identity: &Identity) -> Result<Status> {
    let git = Git::open(&repo_dir(root))
        .ok_or_else(|| Error::Invalid("this vault has no remote yet: run `dossier sync init --remote URL`".into()))?;
    let url = git.url()?;
    let last = std::fs::read_to_string(sync_dir(root).join("last")).ok();
    let store = Store::open(root, Mode::Shared)?;
    let here = log_entries(&store, identity)?;
    drop(store);
    let remote = git.fetched()?;
    let there = match &remote {
        None => BTreeMap::new(),
        Some(commit) => {
            let tree = git.tree(commit)?;
            let dir = sync_dir(root).join("status");
            let store = stage(&dir, None, &git, &tree, &BTreeMap::new())?;
            let found = log_entries(&store, identity);
            drop(store);
            let _ = std::fs::remove_dir_all(&dir);
            found?
        }
    };
    let names: BTreeSet<&String> = here.keys().chain(there.keys()).collect();
    let empty = HashSet::new();
    let logs = names
        .into_iter()
        .map(|n| {
            let a = here.get(n).unwrap_or(&empty);
            let b = there.get(n).unwrap_or(&empty);
            LogStatus {
                log: n.clone(),
                ahead: a.difference(b).count(),
                behind: b.difference(a).count(),
            }
        })
        .collect();
    Ok(Status {
        url,
        last: last.map(|s| s.trim().to_string()),
        fetched: remote.is_some(),
        logs,
    })
}

/// Entry ids of every log this identity reads, by "roster" or case name.
fn log_entries(store: &Store, identity: &Identity) -> Result<BTreeMap<String, HashSet<EntryId>>> {
    let scan = log::scan_heads(store, identity)?;
    let mut groups: BTreeMap<LogId, Vec<log::HeadFile>> = BTreeMap::new();
    for h in scan.heads {
        groups.entry(h.head.log.into_array()).or_default().push(h);
    }
    let mut out: BTreeMap<String, HashSet<EntryId>> = BTreeMap::new();
    for heads in groups.into_values() {
        let l = log::load(store, identity, heads)?;
        let key = match l.kind {
            LogKind::Roster => "roster".to_string(),
            LogKind::Case => l.name.clone(),
        };
        out.entry(key).or_default().extend(l.entries.iter().map(|e| e.id));
    }
    Ok(out)
}

/// A file to take from the remote.
struct Import {
    area: Area,
    name: String,
    /// The remote's copy, fetched into `local/sync/fetch/` and flushed.
    file: PathBuf,
    /// Not in the vault yet.
    new: bool,
    /// The remote's head, when it is one this identity opens.
    head: Option<Head>,
    /// Whether this identity opens the remote's copy.
    readable: bool,
}

impl Import {
    fn path(&self) -> String {
        format!("{}/{}", self.area.dir(), self.name)
    }
}

/// What the remote brings, file by file.
#[derive(Default)]
struct Plan {
    imports: Vec<Import>,
    /// Files that this identity opens here but not in the remote's copy, with
    /// their log: acceptable only if no head of that log stays readable.
    sealed_away: Vec<(String, LogId)>,
    /// The log each file belongs to, where this identity can tell: heads it
    /// opens (here or on the remote) and the segments they list.
    logs: HashMap<String, LogId>,
}

impl Plan {
    /// Leaves out every import of a refused log, and every refused file.
    fn drop_refused(&mut self, logs: &HashSet<LogId>, paths: &HashSet<String>) {
        let refused = |path: &String, known: &HashMap<String, LogId>| {
            paths.contains(path) || known.get(path).is_some_and(|l| logs.contains(l))
        };
        let known = &self.logs;
        self.imports.retain(|i| !refused(&i.path(), known));
        self.sealed_away
            .retain(|(p, l)| !paths.contains(p) && !logs.contains(l));
    }
}

/// A problem with what the remote holds, and the log it belongs to if known.
type Found = (Option<LogId>, Problem);

/// The area and name of a path in the remote's tree (`heads/NAME` or
/// `objects/NAME`, NAME an object name); `None` for anything else.
#[doc(hidden)]
pub fn split(path: &str) -> Option<(Area, &str)> {
    let (dir, name) = path.split_once('/')?;
    let area = match dir {
        "heads" => Area::Heads,
        "objects" => Area::Objects,
        _ => return None,
    };
    is_object_name(name).then_some((area, name))
}

/// The vault's files as git blob ids; `keep` writes the blobs into the sync
/// repository too. Only a push keeps them: a file sealed to old members that
/// a merge is about to rotate never reaches git's store.
fn local_tree(store: &Store, git: &Git, keep: bool) -> Result<Tree> {
    let mut paths = Vec::new();
    let mut keys = Vec::new();
    for area in [Area::Heads, Area::Objects] {
        for name in store.list(area)?.into_iter().filter(|n| is_object_name(n)) {
            paths.push(store.path(area, &name));
            keys.push(format!("{}/{name}", area.dir()));
        }
    }
    let ids = git.hash_files(&paths, keep)?;
    Ok(keys.into_iter().zip(ids).collect())
}

/// The scratch directory the remote's files are fetched into; removed when
/// dropped (what the import moved into the vault is no longer there).
struct Fetched(PathBuf);

impl Fetched {
    fn new(dir: PathBuf) -> Result<Fetched> {
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        make_private_dir(&dir)?;
        Ok(Fetched(dir))
    }
}

impl Drop for Fetched {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a pull did, for the push that follows.
struct Pulled {
    outcome: Outcome,
    /// The remote's copies of files refused here, by path: pushed as they
    /// are, so a push never rolls back, undoes a rotation of, or deletes what
    /// another device wrote, and never replaces a file this copy could not
    /// judge.
    held: Tree,
}

/// Imports what the remote at `remote` brings and checks out, log by log.
fn pull(
    root: &Path,
    git: &Git,
    remote: Option<&str>,
    identity: Identity,
    forget: &[String],
) -> Result<(Pulled, Identity)> {
    let store = Store::open(root, Mode::Exclusive)?;
    let done = |outcome| Pulled {
        outcome,
        held: Tree::new(),
    };
    let Some(remote) = remote else {
        return Ok((done(Outcome::Done(Synced::default())), identity));
    };
    let device = store.device()?;
    let local = local_tree(&store, git, false)?;
    let base = match git.resolve(BASE_REF)? {
        Some(b) => git.tree(&b)?,
        None => Tree::new(),
    };
    let theirs = git.tree(remote)?;
    let fetched = Fetched::new(sync_dir(root).join("fetch"))?;
    let mut found: Vec<Found> = Vec::new();
    let mut plan = plan(
        &store,
        git,
        &identity,
        &device,
        (&local, &theirs, &base),
        &fetched.0,
        &mut found,
    )?;
    // Whatever one file or one log gets wrong, the rest still comes in:
    // each problem refuses its log (no half of a case is imported) or, when
    // the log cannot be told, its file; the vault as it would then be is
    // checked again, until it checks out.
    let mut identity = identity;
    let mut refused_logs: HashSet<LogId> = HashSet::new();
    let mut refused_paths: HashSet<String> = HashSet::new();
    let mut reported: Vec<Problem> = Vec::new();
    let mut fresh = found;
    let mut checked = false;
    loop {
        let mut unplaced = false;
        for (log, p) in &fresh {
            let path = p.file.as_deref().map(|f| f.trim_end_matches(" (remote)").to_string());
            match log.or_else(|| path.as_ref().and_then(|f| plan.logs.get(f).copied())) {
                Some(l) => {
                    refused_logs.insert(l);
                }
                // An object this copy holds whose new version is refused and
                // whose case cannot be told (a document's content, which no
                // head lists): the rotation that re-sealed it must not come
                // in without it, or the old sealing would stay here under a
                // log that says it was sealed anew. Refuse everything.
                None => {
                    unplaced |= path
                        .as_ref()
                        .is_some_and(|f| f.starts_with("objects/") && local.contains_key(f))
                }
            }
            refused_paths.extend(path);
        }
        reported.extend(fresh.drain(..).map(|(_, p)| p));
        if unplaced {
            return Ok((done(Outcome::Refused(tidy(reported))), identity));
        }
        let before = plan.imports.len();
        plan.drop_refused(&refused_logs, &refused_paths);
        if checked && plan.imports.len() == before {
            // What the check found does not come from an import that can
            // be left out: refuse everything.
            return Ok((done(Outcome::Refused(tidy(reported))), identity));
        }
        if plan.imports.is_empty() {
            break;
        }
        let (found, id) = check_staged(root, &store, git, &theirs, &plan, identity, forget)?;
        identity = id;
        if found.is_empty() {
            break;
        }
        fresh = found;
        checked = true;
    }
    // The remote's copy of each refused file that it changed since the base
    // and that differs from this vault's. (One the remote did not change is
    // older than this copy's: this copy's own newer head of a refused log
    // is still pushed.)
    let held: Tree = theirs
        .iter()
        .filter(|(p, id)| split(p).is_some() && !id.is_empty() && local.get(*p) != Some(id) && base.get(*p) != Some(id))
        .filter(|(p, _)| refused_paths.contains(*p) || plan.logs.get(*p).is_some_and(|l| refused_logs.contains(l)))
        .filter(|(p, _)| !plan.imports.iter().any(|i| &i.path() == *p))
        .map(|(p, id)| (p.clone(), id.clone()))
        .collect();
    let imported = plan.imports.len();
    import(&store, plan)?;
    drop(fetched);
    if reported.is_empty() {
        git.set_ref(BASE_REF, remote)?;
    }
    let synced = Synced {
        imported,
        refused: tidy(reported),
        ..Synced::default()
    };
    Ok((
        Pulled {
            outcome: Outcome::Done(synced),
            held,
        },
        identity,
    ))
}

/// Problems sorted by file, each once.
fn tidy(mut problems: Vec<Problem>) -> Vec<Problem> {
    problems.sort_by(|a, b| (&a.file, &a.message).cmp(&(&b.file, &b.message)));
    problems.dedup();
    problems
}

/// What a file holds for this identity, read as a stream.
enum Seen {
    /// A hash of the plaintext, and the plaintext itself when it is small
    /// (a head or a segment; a document's content is only hashed).
    Readable([u8; 32], Option<Zeroizing<Vec<u8>>>),
    NotForUs,
    Damaged(String),
}

/// Plaintexts up to this size are kept by [`peek`]; heads and segments are
/// far smaller.
const KEEP_PLAIN: usize = 64 << 20;

/// Reads an age file at `path` through a fixed buffer (a document's content
/// may be GiBs).
fn peek(identity: &Identity, path: &Path) -> Result<Seen> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = match seal::open_stream(
        identity.age_identity(),
        std::io::BufReader::with_capacity(1 << 16, file),
    ) {
        seal::OpenedStream::Reader(r) => r,
        seal::OpenedStream::NotForUs => return Ok(Seen::NotForUs),
        seal::OpenedStream::Damaged(m) => return Ok(Seen::Damaged(m)),
    };
    let mut hash = blake3::Hasher::new();
    let mut plain = Some(Zeroizing::new(Vec::new()));
    let mut buf = Zeroizing::new(vec![0u8; 1 << 16]);
    let mut total: u64 = 0;
    loop {
        let n = match std::io::Read::read(&mut reader, &mut buf[..]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Ok(Seen::Damaged(format!(
                    "age payload fails authentication ({})",
                    seal::one_line(&e.to_string())
                )))
            }
        };
        total += n as u64;
        if total > MAX_OBJECT_PLAINTEXT * 64 {
            return Ok(Seen::Damaged("far larger than any file dossier writes".into()));
        }
        hash.update(&buf[..n]);
        if plain.as_ref().is_some_and(|p| p.len() + n > KEEP_PLAIN) {
            plain = None;
        }
        if let Some(p) = plain.as_mut() {
            p.extend_from_slice(&buf[..n]);
        }
    }
    Ok(Seen::Readable(*hash.finalize().as_bytes(), plain))
}

/// The log of each head this identity opens here, and of the segments it lists.
fn local_logs(store: &Store, identity: &Identity) -> Result<HashMap<String, LogId>> {
    let mut logs = HashMap::new();
    for h in log::scan_heads(store, identity)?.heads {
        let l = h.head.log.into_array();
        logs.insert(format!("heads/{}", h.name), l);
        for s in &h.head.segments {
            logs.entry(format!("objects/{s}")).or_insert(l);
        }
    }
    Ok(logs)
}

/// Decides, file by file, what to take from the remote (module docs).
fn plan(
    store: &Store,
    git: &Git,
    identity: &Identity,
    device: &[u8; 16],
    (local, theirs, base): (&Tree, &Tree, &Tree),
    fetch_dir: &Path,
    problems: &mut Vec<Found>,
) -> Result<Plan> {
    let mut plan = Plan {
        logs: local_logs(store, identity)?,
        ..Plan::default()
    };
    let remote_file = |path: &str| format!("{path} (remote)");
    for path in base.keys().filter(|p| !theirs.contains_key(*p)) {
        problems.push((
            plan.logs.get(path).copied(),
            Problem::file(
                remote_file(path),
                "removed from the remote since the last sync; dossier never deletes a file there",
            ),
        ));
    }
    let mut wanted: Vec<(&String, &String)> = Vec::new();
    for (path, id) in theirs {
        if split(path).is_none() || id.is_empty() {
            problems.push((
                None,
                Problem::file(
                    remote_file(&path.escape_debug().to_string()),
                    "a file dossier never writes is on the remote",
                ),
            ));
            continue;
        }
        // A file the remote has not changed since the base, and this copy
        // has, is ours to keep: it is neither fetched nor opened.
        let ours_newer = local.contains_key(path) && base.get(path) == Some(id);
        if local.get(path) != Some(id) && !ours_newer {
            wanted.push((path, id));
        }
    }
    // Each blob is streamed to its own file: nothing fetched is held whole
    // in memory.
    let items: Vec<(String, PathBuf)> = wanted
        .iter()
        .enumerate()
        .map(|(n, (_, id))| ((*id).clone(), fetch_dir.join(n.to_string())))
        .collect();
    git.blobs_to_files(&items)?;
    let mut decided: Vec<Import> = Vec::new();
    for ((path, id), (_, fetched)) in wanted.into_iter().zip(items) {
        let Some((area, name)) = split(path) else { continue };
        let file = remote_file(path);
        let here = plan.logs.get(path).copied();
        let mut import = Import {
            area,
            name: name.to_string(),
            file: fetched,
            new: false,
            head: None,
            readable: false,
        };
        if area == Area::Objects && !local.contains_key(path) {
            // A new object is opened once, by the staged check (a damaged
            // one fails it there).
            import.new = true;
            decided.push(import);
            continue;
        }
        let theirs_seen = peek(identity, &import.file)?;
        let theirs_plain = match theirs_seen {
            Seen::Damaged(m) => {
                problems.push((here, Problem::file(file, format!("damaged: {m}"))));
                continue;
            }
            Seen::Readable(h, p) => Some((h, p)),
            Seen::NotForUs => None,
        };
        import.readable = theirs_plain.is_some();
        if area == Area::Heads {
            if let Some((_, p)) = &theirs_plain {
                let parsed = match p {
                    Some(p) => log::parse_head(p, name),
                    None => Err("larger than any head".to_string()),
                };
                match parsed {
                    Ok(h) => import.head = Some(h),
                    Err(m) => {
                        problems.push((here, Problem::file(file, m)));
                        continue;
                    }
                }
            }
        }
        let theirs_log = import.head.as_ref().map(|h| h.log.into_array());
        let Some(mine) = local.get(path) else {
            if import.head.as_ref().is_some_and(|h| h.device.as_ref() == device) {
                problems.push((
                    theirs_log,
                    Problem::file(
                        file,
                        "a head in this device's name that this device never wrote: forged, or another copy uses this device id",
                    ),
                ));
                continue;
            }
            import.new = true;
            decided.push(import);
            continue;
        };
        let log_of = here.or(theirs_log);
        let base_id = base.get(path);
        if base_id == Some(id) {
            // Only this side changed since the base: keep ours.
            continue;
        }
        let only_theirs_changed = base_id == Some(mine);
        let local_path = store.path(area, name);
        if !local_path.exists() {
            continue;
        }
        let mine_plain = match peek(identity, &local_path)? {
            Seen::Readable(h, p) => Some((h, p)),
            _ => None,
        };
        let take = match (&mine_plain, &theirs_plain) {
            (Some((a, _)), Some((b, _))) if a == b => only_theirs_changed || id < mine,
            (Some((_, a)), Some(_)) => match (area, &import.head) {
                (Area::Objects, _) | (_, None) => {
                    problems.push((
                        log_of,
                        Problem::file(file, "holds other content than this vault's copy: altered"),
                    ));
                    continue;
                }
                (Area::Heads, Some(theirs_head)) => {
                    let Some(Ok(ours)) = a.as_ref().map(|a| log::parse_head(a, name)) else {
                        // Our own copy is damaged: verify reports it; take theirs.
                        decided.push(import);
                        continue;
                    };
                    if theirs_head.serial > ours.serial {
                        if theirs_head.device.as_ref() == device {
                            problems.push((
                                log_of,
                                Problem::file(
                                    file,
                                    "a newer head in this device's name than this device wrote: forged, or another copy uses this device id",
                                ),
                            ));
                            continue;
                        }
                        true
                    } else if theirs_head.serial < ours.serial {
                        if only_theirs_changed {
                            problems.push((
                                log_of,
                                Problem::file(
                                    file,
                                    format!(
                                        "rolled back: the remote has serial {} of a head that is at {} here",
                                        theirs_head.serial, ours.serial
                                    ),
                                ),
                            ));
                            continue;
                        }
                        false
                    } else {
                        problems.push((
                            log_of,
                            Problem::file(
                                file,
                                format!(
                                    "two different heads with serial {}: forged, or two copies share a device id",
                                    ours.serial
                                ),
                            ),
                        ));
                        continue;
                    }
                }
            },
            (Some((_, a)), None) => {
                let log_id = match (area, a) {
                    (Area::Heads, Some(a)) => log::parse_head(a, name).ok().map(|h| h.log.into_array()),
                    (Area::Objects, Some(a)) => cbor::from_slice::<Segment>(a).ok().map(|s| s.log.into_array()),
                    _ => None,
                };
                if let Some(l) = log_id.or(here) {
                    plan.sealed_away.push((path.clone(), l));
                }
                true
            }
            (None, Some(_)) => true,
            (None, None) => only_theirs_changed || id < mine,
        };
        if take {
            decided.push(import);
        }
    }
    // The remote's readable heads tell the log of their files too.
    for i in &decided {
        if let Some(h) = &i.head {
            let l = h.log.into_array();
            plan.logs.entry(i.path()).or_insert(l);
            for s in &h.segments {
                plan.logs.entry(format!("objects/{s}")).or_insert(l);
            }
        }
    }
    plan.imports = decided;
    Ok(plan)
}

/// Builds a vault directory at `dir` from `base_store`'s files (hard links)
/// and the remote's `tree`, with `replace` (fetched files) overriding by path.
fn stage(
    dir: &Path,
    base_store: Option<&Store>,
    git: &Git,
    tree: &Tree,
    replace: &BTreeMap<String, &Path>,
) -> Result<Store> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    make_private_dir(dir)?;
    for sub in ["heads", "objects", "local"] {
        make_private_dir(&dir.join(sub))?;
    }
    let device = dir.join("local/device");
    let link = |from: &Path, to: &Path| -> Result<()> {
        if std::fs::hard_link(from, to).is_err() {
            std::fs::copy(from, to).map_err(|e| Error::io(to, e))?;
        }
        Ok(())
    };
    match base_store {
        Some(s) => {
            std::fs::copy(s.root().join("local/device"), &device).map_err(|e| Error::io(&device, e))?;
            for area in [Area::Heads, Area::Objects] {
                for name in s.list(area)?.into_iter().filter(|n| is_object_name(n)) {
                    link(&s.path(area, &name), &dir.join(area.dir()).join(&name))?;
                }
            }
            for (path, from) in replace {
                let to = dir.join(path);
                // Never write through a hard link into the vault itself.
                let _ = std::fs::remove_file(&to);
                link(from, &to)?;
            }
        }
        None => {
            std::fs::write(&device, crate::format::hex(&crate::store::random::<16>()))
                .map_err(|e| Error::io(&device, e))?;
            let items: Vec<(String, PathBuf)> = tree
                .iter()
                .filter(|(p, i)| split(p).is_some() && !i.is_empty())
                .map(|(p, i)| (i.clone(), dir.join(p)))
                .collect();
            git.blobs_to_files(&items)?;
        }
    }
    Store::open(dir, Mode::Shared)
}

/// Checks the vault as it would be after the import, in `local/sync/stage`:
/// each problem with its log where one is known.
fn check_staged(
    root: &Path,
    store: &Store,
    git: &Git,
    theirs: &Tree,
    plan: &Plan,
    identity: Identity,
    forget: &[String],
) -> Result<(Vec<Found>, Identity)> {
    let dir = sync_dir(root).join("stage");
    let replace: BTreeMap<String, &Path> = plan.imports.iter().map(|i| (i.path(), i.file.as_path())).collect();
    let staged = stage(&dir, Some(store), git, theirs, &replace)?;
    let mut problems: Vec<Found> = Vec::new();
    // This copy's marks (the newest heads it saw) judge the staged vault
    // too: a remote head older than one seen here is a roll-back. What the
    // check learns is written only into the stage, removed below.
    let mut marks = super::marks::Marks::load(store, &identity)?;
    let names = super::marks::Marks::load(store, &identity)?;
    let read = match super::read_roster(&staged, &identity, &mut marks, &super::pack::Pack::off()) {
        Ok(r) => r,
        Err(e) => {
            drop(staged);
            let _ = std::fs::remove_dir_all(&dir);
            problems.push((
                None,
                Problem {
                    file: None,
                    entry: None,
                    message: format!("after this sync: {e}"),
                },
            ));
            return Ok((problems, identity));
        }
    };
    let device = store.device()?;
    let vault = Vault::assemble(staged, identity, device, super::pack::Pack::off(), marks, read);
    let report = vault.verify_by_log();
    let readable: HashSet<LogId> = vault.scan.heads.iter().map(|h| h.head.log.into_array()).collect();
    let Vault { identity, store, .. } = vault;
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    // A file the import would bring is named as the remote's.
    problems.extend(report?.into_iter().map(|(l, mut p)| {
        if let Some(f) = p.file.as_mut().filter(|f| replace.contains_key(f.as_str())) {
            f.push_str(" (remote)");
        }
        (l, p)
    }));
    // A readable file replaced by one this identity cannot open: a rotation
    // that left this member out looks exactly like a remote that replaced
    // the files with junk, and only the first is fine. Nothing signed that
    // this member can read tells them apart, so the member decides, by name.
    let mut lost: Vec<String> = Vec::new();
    for (path, l) in &plan.sealed_away {
        if readable.contains(l) {
            problems.push((
                Some(*l),
                Problem::file(
                    format!("{path} (remote)"),
                    "cannot be opened with this identity, yet its log still can: replaced or damaged",
                ),
            ));
            continue;
        }
        let name = names.name_of(l).unwrap_or_else(|| "an unnamed case".into());
        if !forget.contains(&name) && !lost.contains(&name) {
            problems.push((
                Some(*l),
                Problem {
                    file: None,
                    entry: None,
                    message: format!(
                        "case '{name}' can no longer be opened with this identity on the remote: either you \
                         were revoked from it, or the remote replaced its files; ask one of its members, and \
                         if you were revoked run `dossier sync --forget {name}`"
                    ),
                },
            ));
            lost.push(name);
        }
    }
    Ok((problems, identity))
}

/// Moves the checked files into the vault: each head in its own journaled
/// write with the new objects it lists, so every state on the way verifies.
fn import(store: &Store, plan: Plan) -> Result<()> {
    let mut pending: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut heads = Vec::new();
    let mut before = Vec::new();
    let mut after = Vec::new();
    for i in plan.imports {
        match (i.area, i.new) {
            (Area::Objects, true) => {
                pending.insert(i.name, i.file);
            }
            (Area::Heads, _) => heads.push(i),
            (Area::Objects, false) if i.readable => before.push(i),
            (Area::Objects, false) => after.push(i),
        }
    }
    // Re-sealed objects this identity can open go first: no readable head
    // then lists a file it cannot open.
    for i in &before {
        store.install(Area::Objects, &i.name, Replace::Atomically, &i.file)?;
    }
    let listed: HashSet<&String> = heads
        .iter()
        .filter_map(|h| h.head.as_ref())
        .flat_map(|h| h.segments.iter())
        .collect();
    let unlisted: Vec<String> = pending.keys().filter(|n| !listed.contains(n)).cloned().collect();
    for (n, h) in heads.iter().enumerate() {
        let mut objects: Vec<String> = h
            .head
            .as_ref()
            .map(|hd| {
                hd.segments
                    .iter()
                    .filter(|s| pending.contains_key(*s))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        if n == 0 {
            objects.extend(unlisted.iter().cloned());
        }
        store.begin(&h.name, &objects)?;
        for o in &objects {
            if let Some(file) = pending.remove(o) {
                store.install(Area::Objects, o, Replace::Never, &file)?;
            }
        }
        store.install(Area::Heads, &h.name, Replace::Atomically, &h.file)?;
        store.commit()?;
        failpoint("sync-head-imported");
    }
    for (name, file) in pending {
        store.install(Area::Objects, &name, Replace::Never, &file)?;
    }
    for i in &after {
        store.install(Area::Objects, &i.name, Replace::Atomically, &i.file)?;
    }
    Ok(())
}

/// Commits the vault's files, with `held` (the remote's copies of refused
/// files) in place of this vault's, and pushes them. `Some(pushed)` when
/// done, `None` when the remote moved on since `remote` was fetched.
fn push(root: &Path, git: &Git, remote: Option<&str>, held: &Tree) -> Result<Option<bool>> {
    let store = Store::open(root, Mode::Shared)?;
    let mut tree = local_tree(&store, git, true)?;
    drop(store);
    tree.extend(held.iter().map(|(p, id)| (p.clone(), id.clone())));
    // What this copy and the remote agree on: a refused file is not agreed
    // on, so the next sync looks at it again (and reports it again).
    let agree = |commit: &str| -> Result<()> {
        if held.is_empty() {
            return git.set_ref(BASE_REF, commit);
        }
        let old = match git.resolve(BASE_REF)? {
            Some(b) => git.tree(&b)?,
            None => Tree::new(),
        };
        let mut agreed = tree.clone();
        for p in held.keys() {
            match old.get(p) {
                Some(id) => agreed.insert(p.clone(), id.clone()),
                None => agreed.remove(p),
            };
        }
        let base = git.commit(&agreed, &[commit.to_string()])?;
        git.set_ref(BASE_REF, &base)
    };
    if let Some(r) = remote {
        if git.tree(r)? == tree {
            agree(r)?;
            return Ok(Some(false));
        }
    }
    let parents: Vec<String> = remote.map(|r| vec![r.to_string()]).unwrap_or_default();
    let commit = git.commit(&tree, &parents)?;
    failpoint("sync-before-push");
    if !git.push(&commit)? {
        return Ok(None);
    }
    agree(&commit)?;
    Ok(Some(true))
}

fn make_private_dir(p: &Path) -> Result<()> {
    match std::fs::create_dir(p) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(Error::io(p, e)),
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o700)).map_err(|e| Error::io(p, e))?;
    }
    Ok(())
}

impl Vault {
    /// Joins every fork of a log this member may write: a `merge` entry, or a
    /// rotation when a branch changed who may read the case.
    fn join_forks(&mut self) -> Result<(Vec<String>, Vec<String>)> {
        let mut merged = Vec::new();
        let mut rotated = Vec::new();
        let roster_tips = self.roster_log.tips();
        if self.roster_problems.is_empty() && roster_tips.len() > 1 {
            if fork_changes_access(&self.roster_log, &roster_tips) {
                // Someone joined, left or changed keys on one branch: the
                // roster and every case of this member are sealed anew (the
                // roster's `rotate` entry joins its tips, each case's its own).
                let done = self.rotate(None, &mut Silent)?;
                rotated.extend(done.logs);
            } else {
                let to = self.roster_recipients();
                self.append_to_roster(vec![(Kind::Merge, cbor::to_vec(&MergeBody::default()))], to)?;
                merged.push("the roster".to_string());
            }
        }
        for name in self.case_names() {
            if rotated.contains(&name) {
                continue;
            }
            // A damaged case is left alone: `verify` names what is wrong.
            let Ok((log, case)) = self.case(&name) else { continue };
            if !case.names.contains(&self.me.name) {
                continue;
            }
            let tips = log.tips();
            if tips.len() < 2 {
                continue;
            }
            if fork_changes_access(&log, &tips) {
                self.rotate(Some(&name), &mut Silent)?;
                rotated.push(name);
            } else {
                self.append_to_case(&log, &case, vec![(Kind::Merge, cbor::to_vec(&MergeBody::default()))])?;
                merged.push(name);
            }
        }
        Ok((merged, rotated))
    }
}

/// Whether an entry on some branch (not shared by every tip) changes who
/// reads the log (a grant, revocation, rotation, or a member added, removed
/// or rekeyed): then files on another branch may be sealed to the wrong keys.
fn fork_changes_access(log: &log::Log, tips: &[EntryId]) -> bool {
    let mut common: Option<HashSet<EntryId>> = None;
    for t in tips {
        let mut mine = log.ancestors(t);
        mine.insert(*t);
        common = Some(match common {
            None => mine,
            Some(c) => c.intersection(&mine).copied().collect(),
        });
    }
    let common = common.unwrap_or_default();
    log.entries.iter().filter(|e| !common.contains(&e.id)).any(|e| {
        matches!(
            e.header.kind,
            Kind::Grant | Kind::Revoke | Kind::Rotate | Kind::MemberAdd | Kind::MemberRemove | Kind::MemberRekey
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::Record;
    use crate::vault::write;

    fn vault(dir: &Path) -> Vault {
        let mut v = Vault::init(&dir.join("v"), Identity::generate(), "alice").unwrap();
        v.new_case("c1", None).unwrap();
        v
    }

    /// Appends one entry to case c1 as `log` stood, from another device.
    fn append_to(v: &Vault, log: &log::Log, device: u8, kind: Kind, body: Vec<u8>) {
        let (_, case) = v.case("c1").unwrap();
        write::append(
            &v.store,
            &v.identity,
            &[device; 16],
            write::Target {
                id: log.id,
                kind: LogKind::Case,
                name: "c1",
                existing: Some(log),
            },
            &case.recipients(),
            vec![(kind, body)],
        )
        .unwrap();
    }

    /// Two devices append a note to c1 beside each other.
    fn fork(v: &mut Vault) {
        let (log, _) = v.case("c1").unwrap();
        for device in [1u8, 2] {
            let text = format!("written on device {device}");
            let note: Record = serde_json::from_value(serde_json::json!({"type": "note", "text": text})).unwrap();
            append_to(v, &log, device, Kind::Record, cbor::to_vec(&note));
        }
        v.reload().unwrap();
    }

    #[test]
    fn a_merge_must_join_two_branches_and_carry_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = vault(dir.path());
        let (log, _) = v.case("c1").unwrap();
        append_to(&v, &log, 1, Kind::Merge, cbor::to_vec(&MergeBody::default()));
        v.reload().unwrap();
        let err = v.case("c1").err().expect("a merge of one branch").to_string();
        assert!(err.contains("fewer than two parents"), "{err}");

        let dir = tempfile::tempdir().unwrap();
        let mut v = vault(dir.path());
        fork(&mut v);
        let (forked, _) = v.case("c1").unwrap();
        assert_eq!(forked.tips().len(), 2);
        assert!(!fork_changes_access(&forked, &forked.tips()));
        append_to(&v, &forked, 3, Kind::Merge, cbor::to_vec(&serde_json::json!({"x": 1})));
        v.reload().unwrap();
        let err = v.case("c1").err().expect("a merge with a body").to_string();
        assert!(err.contains("bad merge entry"), "{err}");
    }

    #[test]
    fn joining_a_fork_writes_one_merge_and_leaves_one_tip() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = vault(dir.path());
        fork(&mut v);
        let (merged, rotated) = v.join_forks().unwrap();
        assert_eq!(merged, vec!["c1".to_string()]);
        assert!(rotated.is_empty());
        let (log, _) = v.case("c1").unwrap();
        assert_eq!(log.tips().len(), 1);
        let last = log.entry(&log.tips()[0]).unwrap();
        assert_eq!(last.header.kind, Kind::Merge);
        assert_eq!(last.header.parents.len(), 2);
        assert_eq!(v.join_forks().unwrap(), (vec![], vec![]));
    }
}
