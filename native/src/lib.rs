//! The state tree of `planet.core.state.tree.StateTree`, in Rust.
//!
//! Same hashes, same stored node bytes, same leaf placement, same `unsaved`/`saved()`/
//! `discard()` and the same two-generation node cache (core/state/cache.py): the Python
//! class is the specification and this module must give the same roots and node rows for
//! the same writes (tests/property/test_native_tree.py feeds both the same blocks). It exists
//! because applying a block to the tree is the largest Python cost on the block path.
//!
//! Nodes live here; on a miss the tree calls the Python `load(path) -> bytes | None` it was
//! given, and checks what it gets against the hash the parent holds.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

type H = [u8; 32];
const KEY_NIBBLES: usize = 64;

/// A node's path (its depth and the nibbles of its prefix, two a byte, the rest zero): a
/// fixed-size key, so the caches and the unsaved map never allocate for one.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Path {
    len: u8,
    nibs: [u8; 32],
}

impl Path {
    const ROOT: Path = Path { len: 0, nibs: [0; 32] };

    /// The first `depth` nibbles of a key hash.
    fn of(key: &H, depth: usize) -> Path {
        let mut nibs = [0u8; 32];
        let whole = depth / 2;
        nibs[..whole].copy_from_slice(&key[..whole]);
        if depth & 1 == 1 {
            nibs[whole] = key[whole] & 0xf0;
        }
        Path { len: depth as u8, nibs }
    }

    /// A path as Python spells it: one byte a nibble. None if it is not one.
    fn from_nibbles(raw: &[u8]) -> Option<Path> {
        if raw.len() > KEY_NIBBLES || raw.iter().any(|&n| n > 15) {
            return None;
        }
        let mut nibs = [0u8; 32];
        for (d, &n) in raw.iter().enumerate() {
            nibs[d / 2] |= if d & 1 == 1 { n } else { n << 4 };
        }
        Some(Path { len: raw.len() as u8, nibs })
    }

    fn nibbles(&self) -> Vec<u8> {
        (0..self.len as usize).map(|d| nib(&self.nibs, d) as u8).collect()
    }

    fn child(&self, i: usize) -> Path {
        let mut out = *self;
        let d = self.len as usize;
        out.nibs[d / 2] |= if d & 1 == 1 { i as u8 } else { (i as u8) << 4 };
        out.len += 1;
        out
    }

    fn depth(&self) -> usize {
        self.len as usize
    }
}

fn leaf_hash(key: &H, value: &H) -> H {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(key);
    h.update(value);
    h.finalize().into()
}

fn sha(data: &[u8]) -> H {
    Sha256::digest(data).into()
}

#[inline]
fn nib(key: &H, depth: usize) -> usize {
    let byte = key[depth >> 1];
    (if depth & 1 == 1 { byte & 0x0f } else { byte >> 4 }) as usize
}

/// An internal node: for child i, `hashes[i]` is its hash; a leaf child also has its key
/// hash and value hash in `keys[i]`/`values[i]`. Slots outside `bitmap` are stale.
#[derive(Clone)]
struct Node {
    bitmap: u16,
    leafmap: u16,
    hashes: [H; 16],
    keys: [H; 16],
    values: [H; 16],
}

impl Node {
    fn empty() -> Node {
        Node { bitmap: 0, leafmap: 0, hashes: [[0; 32]; 16], keys: [[0; 32]; 16], values: [[0; 32]; 16] }
    }

    fn set_leaf(&mut self, i: usize, key: &H, value: &H) {
        self.hashes[i] = leaf_hash(key, value);
        self.keys[i] = *key;
        self.values[i] = *value;
        self.bitmap |= 1 << i;
        self.leafmap |= 1 << i;
    }

    fn set_node(&mut self, i: usize, hash: H) {
        self.hashes[i] = hash;
        self.bitmap |= 1 << i;
        self.leafmap &= !(1 << i);
    }

    fn clear(&mut self, i: usize) {
        self.bitmap &= !(1 << i);
        self.leafmap &= !(1 << i);
    }

    #[inline]
    fn present(&self, i: usize) -> bool {
        self.bitmap >> i & 1 == 1
    }

    #[inline]
    fn is_leaf(&self, i: usize) -> bool {
        self.leafmap >> i & 1 == 1
    }

    fn leaf(&self, i: usize) -> Option<(H, H)> {
        if self.is_leaf(i) { Some((self.keys[i], self.values[i])) } else { None }
    }

    fn hash(&self) -> H {
        let mut h = Sha256::new();
        h.update([1u8]);
        h.update(self.bitmap.to_be_bytes());
        h.update(self.leafmap.to_be_bytes());
        for i in 0..16 {
            if self.present(i) {
                h.update(self.hashes[i]);
            }
        }
        h.finalize().into()
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + 64 * self.bitmap.count_ones() as usize);
        out.extend_from_slice(&self.bitmap.to_be_bytes());
        out.extend_from_slice(&self.leafmap.to_be_bytes());
        for i in 0..16 {
            if self.is_leaf(i) {
                out.extend_from_slice(&self.keys[i]);
                out.extend_from_slice(&self.values[i]);
            } else if self.present(i) {
                out.extend_from_slice(&self.hashes[i]);
            }
        }
        out
    }

    /// A stored node, parsed (its hash is checked by the caller); errors are tree.py's.
    fn decode(raw: &[u8]) -> Result<Node, String> {
        let truncated = || "a stored state-tree node is truncated".to_string();
        if raw.len() < 4 {
            return Err(truncated());
        }
        let bitmap = u16::from_be_bytes([raw[0], raw[1]]);
        let leafmap = u16::from_be_bytes([raw[2], raw[3]]);
        if leafmap & !bitmap != 0 {
            return Err("a stored state-tree node marks an absent child as a leaf".to_string());
        }
        let mut node = Node::empty();
        let mut pos = 4;
        for i in 0..16 {
            if bitmap >> i & 1 == 0 {
                continue;
            }
            if leafmap >> i & 1 == 1 {
                if raw.len() < pos + 64 {
                    return Err(truncated());
                }
                let key: H = raw[pos..pos + 32].try_into().unwrap();
                let value: H = raw[pos + 32..pos + 64].try_into().unwrap();
                node.set_leaf(i, &key, &value);
                pos += 64;
            } else {
                if raw.len() < pos + 32 {
                    return Err(truncated());
                }
                node.set_node(i, raw[pos..pos + 32].try_into().unwrap());
                pos += 32;
            }
        }
        if pos != raw.len() {
            return Err("a stored state-tree node has trailing bytes".to_string());
        }
        Ok(node)
    }
}

/// What a child slot holds after an update.
enum Slot {
    Empty,
    Leaf(H, H),
    Node(H),
}

/// A write as the tree sees it: the key hash and the value hash (None deletes).
struct Change {
    key: H,
    value: Option<H>,
}

/// core/state/cache.py's BoundedCache: two generations of `half` entries each (no bound
/// when the Python tree would be given a plain dict).
struct Cache {
    half: usize,
    young: HashMap<Path, Arc<Node>>,
    old: HashMap<Path, Arc<Node>>,
}

impl Cache {
    fn get(&mut self, key: &Path) -> Option<Arc<Node>> {
        if let Some(v) = self.young.get(key) {
            return Some(v.clone());
        }
        let v = self.old.remove(key)?;
        self.set(*key, v.clone());
        Some(v)
    }

    fn set(&mut self, key: Path, value: Arc<Node>) {
        if !self.young.contains_key(&key) && self.young.len() >= self.half {
            self.old = std::mem::take(&mut self.young);
        }
        self.old.remove(&key);
        self.young.insert(key, value);
    }

    fn pop(&mut self, key: &Path) {
        self.young.remove(key);
        self.old.remove(key);
    }

    fn len(&self) -> usize {
        self.young.len() + self.old.len()
    }

    fn contains(&self, key: &Path) -> bool {
        self.young.contains_key(key) || self.old.contains_key(key)
    }
}

struct Inner {
    load: Py<PyAny>,
    root: H,
    saved_root: H,
    cache: Cache,
    /// Nodes written since the last `saved()`, in first-written order (a Python dict's).
    unsaved: Vec<(Path, Option<Arc<Node>>)>,
    unsaved_at: HashMap<Path, usize>,
}

fn state_mismatch(py: Python<'_>, message: String) -> PyErr {
    match py.import("planet.core.errors").and_then(|m| m.getattr("StateMismatch")) {
        Ok(cls) => match cls.call1((message,)) {
            Ok(err) => PyErr::from_value(err),
            Err(err) => err,
        },
        Err(err) => err,
    }
}

fn empty_root() -> H {
    Node::empty().hash()
}

impl Inner {
    fn node(&mut self, py: Python<'_>, path: &Path, expected: &H) -> PyResult<Arc<Node>> {
        if let Some(&at) = self.unsaved_at.get(path) {
            return match &self.unsaved[at].1 {
                Some(node) => Ok(node.clone()),
                None => Err(state_mismatch(
                    py,
                    format!("the state tree lost its node at depth {}", path.depth()),
                )),
            };
        }
        if let Some(node) = self.cache.get(path) {
            return Ok(node);
        }
        let raw = self.load.call1(py, (PyBytes::new(py, &path.nibbles()),))?;
        let raw = raw.bind(py);
        let node = if raw.is_none() {
            if path.len == 0 && *expected == empty_root() {
                Node::empty()
            } else {
                return Err(state_mismatch(py, format!(
                    "the stored state tree has no node at depth {} where the app hash requires one; \
                     the database was altered", path.depth())));
            }
        } else {
            let bytes = match raw.downcast::<PyBytes>() {
                Ok(b) => b.clone(),
                Err(_) => py.import("builtins")?.getattr("bytes")?.call1((raw,))?.downcast_into::<PyBytes>()?,
            };
            let node = Node::decode(bytes.as_bytes()).map_err(|m| state_mismatch(py, m))?;
            if node.hash() != *expected {
                return Err(state_mismatch(py, format!(
                    "a stored state-tree node at depth {} does not match its parent's hash; \
                     the database was altered", path.depth())));
            }
            node
        };
        let node = Arc::new(node);
        self.cache.set(*path, node.clone());
        Ok(node)
    }

    fn leaf_value_hash(&mut self, py: Python<'_>, key: &H) -> PyResult<Option<H>> {
        let mut expected = self.root;
        let mut path = Path::ROOT;
        for depth in 0..KEY_NIBBLES {
            let node = self.node(py, &path, &expected)?;
            let i = nib(key, depth);
            if !node.present(i) {
                return Ok(None);
            }
            if node.is_leaf(i) {
                return Ok(if node.keys[i] == *key { Some(node.values[i]) } else { None });
            }
            expected = node.hashes[i];
            path = path.child(i);
        }
        Err(state_mismatch(py, "the state tree is deeper than a key hash".to_string()))
    }

    fn put(&mut self, path: Path, node: Option<Arc<Node>>, rows: &mut Vec<(Path, Option<Arc<Node>>)>) {
        match self.unsaved_at.get(&path) {
            Some(&at) => self.unsaved[at].1 = node.clone(),
            None => {
                self.unsaved_at.insert(path, self.unsaved.len());
                self.unsaved.push((path, node.clone()));
            }
        }
        rows.push((path, node));
    }

    /// Apply a block: first, with the GIL, load the nodes it will read (in the order the
    /// Python tree reads them, so the cache turns over alike); then, without the GIL (other
    /// threads run meanwhile), rewrite them and encode the rows.
    fn update(&mut self, py: Python<'_>, mut changes: Vec<Change>) -> PyResult<Vec<(Path, Option<Vec<u8>>)>> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        changes.sort_by(|a, b| a.key.cmp(&b.key)); // stable: the last write of a key wins
        let mut unique: Vec<Change> = Vec::with_capacity(changes.len());
        for change in changes {
            match unique.last_mut() {
                Some(last) if last.key == change.key => *last = change,
                _ => unique.push(change),
            }
        }
        let root = self.root;
        let mut read = HashMap::new();
        self.prefetch(py, Path::ROOT, &root, 0, &unique, &mut read)?;
        py.allow_threads(|| {
            let mut rows = Vec::new();
            match self.update_node(Path::ROOT, 0, &unique, &read, &mut rows) {
                Slot::Node(hash) => self.root = hash,
                _ => unreachable!("the root is always a node"),
            }
            Ok(rows.into_iter().map(|(path, node)| (path, node.map(|n| n.encode()))).collect())
        })
    }

    /// The nodes `update_node` will read for `changes`: the internal nodes on their paths.
    fn prefetch(&mut self, py: Python<'_>, path: Path, node_hash: &H, depth: usize, changes: &[Change],
                read: &mut HashMap<Path, Arc<Node>>) -> PyResult<()> {
        let node = self.node(py, &path, node_hash)?;
        read.insert(path, node.clone());
        let n = changes.len();
        let mut start = 0;
        while start < n {
            let i = nib(&changes[start].key, depth);
            let mut end = start + 1;
            while end < n && nib(&changes[end].key, depth) == i {
                end += 1;
            }
            if node.present(i) && !node.is_leaf(i) {
                self.prefetch(py, path.child(i), &node.hashes[i], depth + 1, &changes[start..end], read)?;
            }
            start = end;
        }
        Ok(())
    }

    fn update_node(&mut self, path: Path, depth: usize, changes: &[Change], read: &HashMap<Path, Arc<Node>>,
                   rows: &mut Vec<(Path, Option<Arc<Node>>)>) -> Slot {
        let mut fresh: Node = (*read[&path]).clone();
        let n = changes.len();
        let mut start = 0;
        while start < n {
            let first = &changes[start];
            let i = nib(&first.key, depth);
            let mut end = start + 1;
            while end < n && nib(&changes[end].key, depth) == i {
                end += 1;
            }
            let slot = if fresh.present(i) && !fresh.is_leaf(i) {
                self.update_node(path.child(i), depth + 1, &changes[start..end], read, rows)
            } else if end - start == 1 && (!fresh.present(i) || fresh.keys[i] == first.key) {
                match first.value {
                    None => Slot::Empty,
                    Some(value) => Slot::Leaf(first.key, value),
                }
            } else {
                self.update_slot(depth + 1, fresh.leaf(i), &changes[start..end], rows)
            };
            start = end;
            match slot {
                Slot::Empty => fresh.clear(i),
                Slot::Leaf(key, value) => fresh.set_leaf(i, &key, &value),
                Slot::Node(hash) => fresh.set_node(i, hash),
            }
        }
        if path.len != 0 {
            if fresh.bitmap == 0 {
                self.put(path, None, rows);
                return Slot::Empty;
            }
            if fresh.bitmap == fresh.leafmap && fresh.bitmap.count_ones() == 1 {
                self.put(path, None, rows); // one leaf left: it moves up to the parent
                let i = 15 - fresh.bitmap.leading_zeros() as usize;
                return Slot::Leaf(fresh.keys[i], fresh.values[i]);
            }
        }
        let hash = fresh.hash();
        self.put(path, Some(Arc::new(fresh)), rows);
        Slot::Node(hash)
    }

    /// A slot that held at most one leaf: what it holds after `changes` (sorted, one a key).
    fn update_slot(&mut self, depth: usize, existing: Option<(H, H)>, changes: &[Change],
                   rows: &mut Vec<(Path, Option<Arc<Node>>)>) -> Slot {
        if changes.len() == 1 {
            let c = &changes[0];
            if existing.is_none_or(|(key, _)| key == c.key) {
                return match c.value {
                    None => Slot::Empty,
                    Some(value) => Slot::Leaf(c.key, value),
                };
            }
        }
        let mut leaves: Vec<(H, H)> = Vec::with_capacity(changes.len() + 1);
        let mut pending = existing.filter(|(key, _)| !changes.iter().any(|c| c.key == *key));
        for c in changes {
            if let Some((key, value)) = pending {
                if key < c.key {
                    leaves.push((key, value));
                    pending = None;
                }
            }
            if let Some(value) = c.value {
                leaves.push((c.key, value));
            }
        }
        if let Some(leaf) = pending {
            leaves.push(leaf);
        }
        self.build(depth, &leaves, rows)
    }

    fn build(&mut self, depth: usize, leaves: &[(H, H)], rows: &mut Vec<(Path, Option<Arc<Node>>)>) -> Slot {
        match leaves.len() {
            0 => return Slot::Empty,
            1 => return Slot::Leaf(leaves[0].0, leaves[0].1),
            _ => {}
        }
        let mut node = Node::empty();
        let n = leaves.len();
        let mut start = 0;
        while start < n {
            let i = nib(&leaves[start].0, depth);
            let mut end = start + 1;
            while end < n && nib(&leaves[end].0, depth) == i {
                end += 1;
            }
            match self.build(depth + 1, &leaves[start..end], rows) {
                Slot::Leaf(key, value) => node.set_leaf(i, &key, &value),
                Slot::Node(hash) => node.set_node(i, hash),
                Slot::Empty => unreachable!("a group has a leaf"),
            }
            start = end;
        }
        let hash = node.hash();
        self.put(Path::of(&leaves[0].0, depth), Some(Arc::new(node)), rows);
        Slot::Node(hash)
    }

    fn saved(&mut self) {
        for (path, node) in std::mem::take(&mut self.unsaved) {
            match node {
                None => self.cache.pop(&path),
                Some(node) => self.cache.set(path, node),
            }
        }
        self.unsaved_at.clear();
        self.saved_root = self.root;
    }

    fn discard(&mut self) {
        self.unsaved.clear();
        self.unsaved_at.clear();
        self.root = self.saved_root;
    }
}

fn hash32(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<H> {
    let bytes = obj.downcast::<PyBytes>().map_err(|_| PyTypeError::new_err(format!("{what} must be bytes")))?;
    bytes.as_bytes().try_into().map_err(|_| PyTypeError::new_err(format!("{what} must be 32 bytes")))
}

/// The state tree over a node source (see the module docstring and tree.py's StateTree).
#[pyclass(frozen, module = "planet_native")]
struct Tree {
    inner: Mutex<Inner>,
    /// The root as `root()` reports it, readable while an update waits on a node load.
    root: Mutex<H>,
}

impl Tree {
    /// The tree's state. A load may give up the GIL (a SQLite read), so another thread can
    /// call in meanwhile: it waits here without the GIL, so the holder can take it back.
    fn lock(&self, py: Python<'_>) -> MutexGuard<'_, Inner> {
        loop {
            match self.inner.try_lock() {
                Ok(guard) => return guard,
                Err(TryLockError::Poisoned(e)) => return e.into_inner(),
                Err(TryLockError::WouldBlock) => py.allow_threads(|| drop(self.inner.lock())),
            }
        }
    }

    fn publish_root(&self, root: H) {
        *self.root.lock().unwrap_or_else(|e| e.into_inner()) = root;
    }
}

fn python_node<'py>(py: Python<'py>, node: &Node) -> PyResult<Bound<'py, PyAny>> {
    let cls = py.import("planet.core.state.tree")?.getattr("Node")?;
    cls.call_method1("decode", (PyBytes::new(py, &node.encode()),))
}

#[pymethods]
impl Tree {
    /// `cache_size`: the node cache's capacity as BoundedCache's (None: unbounded).
    #[new]
    #[pyo3(signature = (load, root, cache_size=None))]
    fn new(load: Py<PyAny>, root: &Bound<'_, PyAny>, cache_size: Option<usize>) -> PyResult<Tree> {
        let root = hash32(root, "root")?;
        let half = match cache_size {
            None => usize::MAX,
            Some(c) if c < 2 => return Err(pyo3::exceptions::PyValueError::new_err(
                "a bounded cache holds at least 2 entries")),
            Some(c) => c / 2,
        };
        Ok(Tree {
            inner: Mutex::new(Inner {
                load,
                root,
                saved_root: root,
                cache: Cache { half, young: HashMap::new(), old: HashMap::new() },
                unsaved: Vec::new(),
                unsaved_at: HashMap::new(),
            }),
            root: Mutex::new(root),
        })
    }

    fn root<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let root = *self.root.lock().unwrap_or_else(|e| e.into_inner());
        PyBytes::new(py, &root)
    }

    /// The value hash the tree holds for a key hash, None if the key is absent.
    fn leaf_value_hash<'py>(&self, py: Python<'py>, key_hash: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let key = hash32(key_hash, "a key hash")?;
        let found = self.lock(py).leaf_value_hash(py, &key)?;
        Ok(found.map(|v| PyBytes::new(py, &v)))
    }

    /// Apply one block's record writes, (key, value or None) pairs; returns the node rows
    /// it changed (path → encoded node, None deletes), as StateTree.update does.
    fn update<'py>(&self, py: Python<'py>, writes: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
        let mut changes = Vec::new();
        for item in writes.try_iter()? {
            let item = item?;
            let pair = item.downcast::<PyTuple>()?;
            if pair.len() != 2 {
                return Err(PyTypeError::new_err("a write is a (key, value) pair"));
            }
            let key_obj = pair.get_item(0)?;
            let key = key_obj.downcast::<PyString>()?.to_str()?;
            let value_obj = pair.get_item(1)?;
            let value = if value_obj.is_none() {
                None
            } else {
                Some(sha(value_obj.downcast::<PyBytes>()?.as_bytes()))
            };
            changes.push(Change { key: sha(key.as_bytes()), value });
        }
        let (rows, root) = {
            let mut inner = self.lock(py);
            let rows = inner.update(py, changes)?;
            (rows, inner.root)
        };
        self.publish_root(root);
        let out = PyDict::new(py);
        for (path, node) in rows {
            let key = PyBytes::new(py, &path.nibbles());
            match node {
                None => out.set_item(key, py.None())?,
                Some(raw) => out.set_item(key, PyBytes::new(py, &raw))?,
            }
        }
        Ok(out)
    }

    /// The caller stored every unsaved row: they now live in the cache.
    fn saved(&self, py: Python<'_>) {
        self.lock(py).saved();
    }

    /// Forget the blocks applied since the last `saved()` (a block never committed).
    fn discard(&self, py: Python<'_>) {
        let root = {
            let mut inner = self.lock(py);
            inner.discard();
            inner.root
        };
        self.publish_root(root);
    }

    /// The node at `path` (which its parent says hashes to `expected`), as a Python Node.
    fn node<'py>(&self, py: Python<'py>, path: &[u8], expected: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let expected = hash32(expected, "a node hash")?;
        let path = Path::from_nibbles(path).ok_or_else(|| PyTypeError::new_err("a path is nibbles"))?;
        let node = self.lock(py).node(py, &path, &expected)?;
        python_node(py, &node)
    }

    /// The internal nodes on a key's path, root first: (path, Python Node, nibble there).
    fn walk<'py>(&self, py: Python<'py>, key_hash: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let key = hash32(key_hash, "a key hash")?;
        let out = PyList::empty(py);
        let mut inner = self.lock(py);
        let mut expected = inner.root;
        for depth in 0..KEY_NIBBLES {
            let path = Path::of(&key, depth);
            let node = inner.node(py, &path, &expected)?;
            let i = nib(&key, depth);
            out.append((PyBytes::new(py, &path.nibbles()), python_node(py, &node)?, i))?;
            if !node.present(i) || node.is_leaf(i) {
                return Ok(out);
            }
            expected = node.hashes[i];
        }
        Err(state_mismatch(py, "the state tree is deeper than a key hash".to_string()))
    }

    /// The node cache, as tests of a bounded memory look at it (its size, its paths).
    #[getter]
    fn cache(slf: Py<Self>) -> CacheView {
        CacheView { tree: slf }
    }

    /// Whether `path` has a node cached (tests).
    fn cached(&self, py: Python<'_>, path: &[u8]) -> bool {
        Path::from_nibbles(path).is_some_and(|p| self.lock(py).cache.contains(&p))
    }
}

/// A live view of a tree's node cache.
#[pyclass(frozen, module = "planet_native")]
struct CacheView {
    tree: Py<Tree>,
}

#[pymethods]
impl CacheView {
    fn __len__(&self, py: Python<'_>) -> usize {
        self.tree.get().lock(py).cache.len()
    }

    fn __contains__(&self, py: Python<'_>, path: &[u8]) -> bool {
        self.tree.get().cached(py, path)
    }
}

#[pymodule]
fn planet_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Tree>()?;
    m.add_class::<CacheView>()?;
    Ok(())
}
