//! A persistent hash map for variable scopes (a hash array mapped trie). Cloning is O(1) and
//! shares structure; an insert copies at most one root-to-leaf path of a shared trie, so a
//! chain of stages that each inherit the previous stage's variables and add their own stays
//! linear, however long the chain and however many variables it carries.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::rc::Rc;

const BITS: u32 = 4;
const FANOUT: usize = 1 << BITS;
const MASK: u64 = (1 << BITS) - 1;

#[derive(Clone, Debug)]
pub(super) struct VarMap<V> {
    root: Node<V>,
}

impl<V> Default for VarMap<V> {
    fn default() -> Self {
        Self { root: Node::Empty }
    }
}

#[derive(Clone, Debug)]
enum Node<V> {
    Empty,
    /// Entries whose full 64-bit hashes are equal (almost always exactly one).
    Leaf(u64, Rc<Vec<(String, V)>>),
    Branch(Rc<[Node<V>; FANOUT]>),
}

/// Deterministic (SipHash with fixed keys): the same file always builds the same trie.
fn hash(key: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

/// The child slot for `hash` at bit offset `shift` (0, 4, … 60).
fn slot(hash: u64, shift: u32) -> usize {
    let bits = hash.checked_shr(shift).unwrap_or(0) & MASK;
    usize::try_from(bits).unwrap_or(0)
}

impl<V: Clone> VarMap<V> {
    pub(super) fn get(&self, key: &str) -> Option<&V> {
        let hash = hash(key);
        let mut node = &self.root;
        let mut shift = 0;
        loop {
            match node {
                Node::Empty => return None,
                Node::Leaf(leaf_hash, entries) => {
                    if *leaf_hash != hash {
                        return None;
                    }
                    return entries.iter().find(|(k, _)| k == key).map(|(_, v)| v);
                }
                Node::Branch(children) => {
                    node = children.get(slot(hash, shift))?;
                    shift += BITS;
                }
            }
        }
    }

    pub(super) fn insert(&mut self, key: &str, value: V) {
        let hash = hash(key);
        let mut node = &mut self.root;
        let mut shift = 0;
        loop {
            match node {
                Node::Empty => {
                    *node = Node::Leaf(hash, Rc::new(vec![(key.to_owned(), value)]));
                    return;
                }
                Node::Leaf(leaf_hash, entries) if *leaf_hash == hash => {
                    let entries = Rc::make_mut(entries);
                    match entries.iter_mut().find(|(k, _)| k == key) {
                        Some(entry) => entry.1 = value,
                        None => entries.push((key.to_owned(), value)),
                    }
                    return;
                }
                Node::Leaf(leaf_hash, _) => {
                    // Two different hashes meet: push the leaf one level down and retry here.
                    let index = slot(*leaf_hash, shift);
                    let leaf = std::mem::replace(node, Node::Empty);
                    let mut children: [Node<V>; FANOUT] = std::array::from_fn(|_| Node::Empty);
                    if let Some(child) = children.get_mut(index) {
                        *child = leaf;
                    }
                    *node = Node::Branch(Rc::new(children));
                }
                Node::Branch(children) => {
                    let Some(child) = Rc::make_mut(children).get_mut(slot(hash, shift)) else {
                        return;
                    };
                    node = child;
                    shift += BITS;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_replace_and_clones_are_independent() {
        let mut map = VarMap::default();
        for i in 0..2_000 {
            map.insert(&format!("K{i}"), i);
        }
        let snapshot = map.clone();
        map.insert("K7", 70);
        map.insert("new", 1);
        // (key, value in the edited map, value in the snapshot)
        let cases = [
            ("K0", Some(0), Some(0)),
            ("K7", Some(70), Some(7)),
            ("K1999", Some(1999), Some(1999)),
            ("new", Some(1), None),
            ("missing", None, None),
        ];
        for (key, now, before) in cases {
            assert_eq!(map.get(key).copied(), now, "{key}");
            assert_eq!(snapshot.get(key).copied(), before, "{key}");
        }
    }

    #[test]
    fn long_chains_of_clones_stay_cheap() {
        // Each "stage" inherits the previous map and adds one variable.
        let mut map = VarMap::default();
        let mut kept = Vec::new();
        for i in 0..50_000 {
            let mut child = map.clone();
            child.insert(&format!("V{i}"), i);
            kept.push(map);
            map = child;
        }
        assert_eq!(map.get("V0").copied(), Some(0));
        assert_eq!(map.get("V49999").copied(), Some(49_999));
        assert_eq!(kept.get(10).and_then(|m| m.get("V10")), None);
    }
}
