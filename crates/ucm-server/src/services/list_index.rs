//! The customer list's in-memory index, for SQLite: each customer's folded search text with
//! a trigram bitmap index over it, the archived and type filters as bitmaps, and name order.
//!
//! A list page is then a few bitmap intersections, a substring check of the candidates and a
//! walk of the name order, instead of SQL over FTS5, whose doclists for common trigrams made a
//! search matching 5 % of 100,000 customers cost several milliseconds before it was even
//! counted and sorted. PostgreSQL keeps its `pg_trgm` index and does not use this.
//!
//! Every server process holds its own copy and brings it up to date before each list request
//! from the database itself, so writes by other processes (another server, `ucm import`)
//! count as much as its own: customers with an id above the largest it has seen are new, and
//! updates and deletes are logged by triggers in `customer_changes` (see the list_index
//! migration). A sync that started after a request arrived has seen every write committed
//! before it, so concurrent requests share one.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Instant;

use memchr::memmem;
use roaring::RoaringBitmap;
use sea_orm::{QueryResult, TransactionTrait};
use tokio::sync::Mutex;
use ucm_types::ArchivedFilter;

use crate::db::{exec, query_all, query_one, Db};
use crate::error::{AppError, AppResult};

/// Rows read per statement while loading or catching up, so that neither the driver's result
/// set nor the index's transient memory grows with the table.
const BATCH: i64 = 5000;
/// The change log keeps this many newest entries; a process further behind reloads.
pub const CHANGES_KEPT: i64 = 100_000;

pub struct ListIndex {
    state: RwLock<State>,
    /// Held while syncing; holds when the last completed sync started.
    sync_gate: Mutex<Option<Instant>>,
}

#[derive(Default)]
struct State {
    /// The newest `customer_changes.seq` applied.
    last_seq: i64,
    /// The largest customer id read: every id above it is a customer not seen yet.
    max_id: i64,
    /// Indexed by id: ids are dense (AUTOINCREMENT), and a search checks its candidates in
    /// ascending id order, which then reads this and the texts (allocated in id order at load)
    /// almost sequentially instead of one cache miss per hash probe.
    entries: Vec<Option<Entry>>,
    trigrams: HashMap<u64, RoaringBitmap>,
    all: RoaringBitmap,
    archived: RoaringBitmap,
    types: HashMap<i64, RoaringBitmap>,
    /// Every id in the list's name order, which is SQL's `ORDER BY name_key, id` (both
    /// compare UTF-8 bytes). A plain array of ids, the names read from `entries`: a BTreeSet
    /// of `(name, id)` cost 9 MB more at 100,000 customers.
    by_name: Vec<u32>,
    /// The customers matching recent searches, kept current by `insert` and `remove`.
    searches: std::sync::Mutex<SearchCache>,
}

/// Recent searches' matches. Paging through a search, a list reloaded after opening one of its
/// customers, and colleagues looking up the same name ask for the same words again; a broad
/// word's matches (5 % of 100,000 customers) otherwise cost a substring check of every
/// candidate each time. Each entry is kept exact under writes: `insert` checks the written
/// customer against every cached search, which is cheaper than checking 5,000 candidates.
#[derive(Default)]
struct SearchCache {
    entries: Vec<CachedSearch>,
    clock: u64,
}

struct CachedSearch {
    /// Sorted and unique.
    words: Vec<String>,
    /// Every customer whose search text holds all the words, whatever the filters.
    ids: RoaringBitmap,
    last_used: u64,
}

/// Searches remembered; each holds at most one bitmap of all customers (about 12 KB per
/// 100,000), so the cache stays well under a megabyte.
const SEARCHES_CACHED: usize = 32;

impl SearchCache {
    fn get(&mut self, words: &[String]) -> Option<RoaringBitmap> {
        self.clock += 1;
        let clock = self.clock;
        let hit = self.entries.iter_mut().find(|e| e.words == words)?;
        hit.last_used = clock;
        Some(hit.ids.clone())
    }

    fn put(&mut self, words: Vec<String>, ids: RoaringBitmap) {
        self.clock += 1;
        let entry = CachedSearch {
            words,
            ids,
            last_used: self.clock,
        };
        if let Some(same) = self.entries.iter_mut().find(|e| e.words == entry.words) {
            *same = entry;
        } else if self.entries.len() < SEARCHES_CACHED {
            self.entries.push(entry);
        } else if let Some(oldest) = self.entries.iter_mut().min_by_key(|e| e.last_used) {
            *oldest = entry;
        }
    }

    fn insert(&mut self, id: u32, search_text: &str) {
        for e in &mut self.entries {
            if e.words
                .iter()
                .all(|w| memmem::find(search_text.as_bytes(), w.as_bytes()).is_some())
            {
                e.ids.insert(id);
            }
        }
    }

    fn remove(&mut self, id: u32) {
        for e in &mut self.entries {
            e.ids.remove(id);
        }
    }
}

struct Entry {
    /// The folded search text, which starts with the folded name: the name key is its first
    /// `name_len` bytes, so the name is not stored twice.
    search_text: Box<str>,
    name_len: u32,
    type_id: i64,
}

/// A catch-up that applied this many rows compacts the index afterwards.
const COMPACT_AFTER: u64 = 10_000;

/// Updates applied one by one up to this many; more are merged into the name order at once.
const ORDER_ONE_BY_ONE: u64 = 64;

impl Entry {
    fn new(row: Row) -> Self {
        let name_len = u32::try_from(row.name_key.len()).unwrap_or(u32::MAX);
        let search_text = if row.search_text.starts_with(&row.name_key) {
            row.search_text
        } else {
            // Only a name that folds to whitespace is left out of the search text. Put it in
            // front, behind a separator no search word can hold (searches refuse control
            // characters), so it cannot change what matches.
            format!("{}\u{1}{}", row.name_key, row.search_text)
        };
        Self {
            search_text: search_text.into_boxed_str(),
            name_len,
            type_id: row.type_id,
        }
    }

    fn name(&self) -> &str {
        self.search_text
            .get(..self.name_len as usize)
            .unwrap_or(&self.search_text)
    }
}

/// A customer as the index needs it.
struct Row {
    id: u32,
    type_id: i64,
    archived: bool,
    name_key: String,
    search_text: String,
}

/// What a list request asks of the index: its folded search words and simple filters.
pub struct Filter<'a> {
    pub words: &'a [String],
    pub archived: ArchivedFilter,
    pub type_id: Option<i64>,
}

/// Trigram keys of a text: three characters packed into 63 bits, only within runs of
/// non-whitespace (search words never hold whitespace, so other trigrams are never asked for).
fn trigrams(text: &str, out: &mut Vec<u64>) {
    for run in text.split_whitespace() {
        let (mut a, mut b) = (0u64, 0u64);
        for (n, ch) in run.chars().enumerate() {
            let c = ch as u64;
            if n >= 2 {
                out.push((a << 42) | (b << 21) | c);
            }
            a = b;
            b = c;
        }
    }
    out.sort_unstable();
    out.dedup();
}

fn id_u32(id: i64) -> AppResult<u32> {
    u32::try_from(id).map_err(|_| {
        AppError::Internal(anyhow::anyhow!(
            "customer id {id} is outside what the list index holds"
        ))
    })
}

fn row_from(r: &QueryResult) -> AppResult<Option<Row>> {
    let Some(id) = r.try_get::<Option<i64>>("", "id")? else {
        return Ok(None);
    };
    Ok(Some(Row {
        id: id_u32(id)?,
        type_id: r.try_get("", "customer_type_id")?,
        archived: r.try_get("", "archived")?,
        name_key: r.try_get("", "name_key")?,
        search_text: r.try_get("", "search_text")?,
    }))
}

const ROW_COLUMNS: &str = "c.id, c.customer_type_id, c.archived, c.name_key, c.search_text";

impl State {
    fn entry(&self, id: u32) -> Option<&Entry> {
        self.entries.get(id as usize).and_then(Option::as_ref)
    }

    /// Adds a customer to everything but the name order (see `apply`).
    fn index(&mut self, row: Row, grams: &[u64]) {
        let id = row.id;
        for g in grams {
            self.trigrams.entry(*g).or_default().insert(id);
        }
        self.all.insert(id);
        if row.archived {
            self.archived.insert(id);
        }
        self.types.entry(row.type_id).or_default().insert(id);
        self.searches_mut().insert(id, &row.search_text);
        let slot = id as usize;
        if self.entries.len() <= slot {
            self.entries.resize_with(slot + 1, || None);
        }
        self.entries[slot] = Some(Entry::new(row));
    }

    /// Takes a customer out of everything but the name order.
    fn unindex(&mut self, id: u32) {
        let Some(old) = self.entries.get_mut(id as usize).and_then(Option::take) else {
            return;
        };
        let mut grams = Vec::new();
        trigrams(&old.search_text, &mut grams);
        for g in grams {
            if let Some(b) = self.trigrams.get_mut(&g) {
                b.remove(id);
                if b.is_empty() {
                    self.trigrams.remove(&g);
                }
            }
        }
        self.all.remove(id);
        self.archived.remove(id);
        self.searches_mut().remove(id);
        if let Some(b) = self.types.get_mut(&old.type_id) {
            b.remove(id);
            if b.is_empty() {
                self.types.remove(&old.type_id);
            }
        }
    }

    fn name_of(&self, id: u32) -> &str {
        self.entry(id).map_or("", Entry::name)
    }

    /// Where `(name, id)` is, or would go, in the name order.
    fn order_position(&self, name: &str, id: u32) -> usize {
        self.by_name
            .partition_point(|&other| (self.name_of(other), other) < (name, id))
    }

    /// Takes what the database says now about these customers: `removed` are gone, `upserts`
    /// are new or changed. The name order is kept sorted throughout.
    fn apply(&mut self, removed: &[u32], upserts: Vec<(Row, Vec<u64>)>) {
        let mut touched: RoaringBitmap = removed.iter().copied().collect();
        touched.extend(upserts.iter().map(|(row, _)| row.id));
        let one_by_one = touched.len() <= ORDER_ONE_BY_ONE;
        if one_by_one {
            for id in &touched {
                if let Some(e) = self.entry(id) {
                    let pos = self.order_position(e.name(), id);
                    if self.by_name.get(pos) == Some(&id) {
                        self.by_name.remove(pos);
                    }
                }
            }
        }
        for &id in removed {
            self.unindex(id);
        }
        for (row, grams) in upserts {
            self.unindex(row.id);
            self.index(row, &grams);
        }
        if one_by_one {
            for id in &touched {
                if let Some(e) = self.entry(id) {
                    let pos = self.order_position(e.name(), id);
                    self.by_name.insert(pos, id);
                }
            }
        } else {
            self.merge_order(&touched);
        }
    }

    /// Re-places the touched ids in the name order: those still here are sorted among
    /// themselves and merged with the untouched ones (already in order), in linear time.
    fn merge_order(&mut self, touched: &RoaringBitmap) {
        let mut kept = std::mem::take(&mut self.by_name);
        kept.retain(|id| !touched.contains(*id));
        let key = |id: u32| (self.name_of(id), id);
        let mut placed: Vec<u32> = touched
            .iter()
            .filter(|id| self.entry(*id).is_some())
            .collect();
        placed.sort_unstable_by(|a, b| key(*a).cmp(&key(*b)));
        let mut merged = Vec::with_capacity(kept.len() + placed.len());
        let (mut i, mut j) = (0, 0);
        while i < kept.len() && j < placed.len() {
            if key(kept[i]) <= key(placed[j]) {
                merged.push(kept[i]);
                i += 1;
            } else {
                merged.push(placed[j]);
                j += 1;
            }
        }
        merged.extend_from_slice(&kept[i..]);
        merged.extend_from_slice(&placed[j..]);
        self.by_name = merged;
    }

    /// Gives back what growing left unused: the roaring arrays double as they grow and the
    /// entries array grew by doubling too (a quarter of the index at 100,000 customers).
    fn compact(&mut self) {
        self.entries.shrink_to_fit();
        self.by_name.shrink_to_fit();
        let mut buf = Vec::new();
        for b in self.trigrams.values_mut() {
            buf.clear();
            // A round trip through roaring's own format gives arrays of exactly their length.
            if b.serialize_into(&mut buf).is_ok() {
                if let Ok(exact) = RoaringBitmap::deserialize_unchecked_from(&buf[..]) {
                    *b = exact;
                }
            }
        }
        self.trigrams.shrink_to_fit();
    }

    /// The customers that pass the archived and type filters.
    fn filtered(&self, f: &Filter) -> RoaringBitmap {
        let mut set = match f.archived {
            ArchivedFilter::Active => &self.all - &self.archived,
            ArchivedFilter::Archived => self.archived.clone(),
            ArchivedFilter::All => self.all.clone(),
        };
        if let Some(t) = f.type_id {
            match self.types.get(&t) {
                Some(b) => set &= b,
                None => set.clear(),
            }
        }
        set
    }

    fn searches_mut(&mut self) -> &mut SearchCache {
        self.searches.get_mut().unwrap_or_else(|e| e.into_inner())
    }

    fn searches(&self) -> std::sync::MutexGuard<'_, SearchCache> {
        // The cache is a few plain values; a panic elsewhere cannot leave it unusable.
        self.searches.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The filtered customers whose search text holds every word.
    fn matching(&self, f: &Filter) -> RoaringBitmap {
        let mut set = self.filtered(f);
        if f.words.is_empty() {
            return set;
        }
        let mut words = f.words.to_vec();
        words.sort_unstable();
        words.dedup();
        let cached = self.searches().get(&words);
        let ids = match cached {
            Some(ids) => ids,
            None => {
                let ids = self.containing(&words);
                // Still under the caller's read lock: no write can have happened since.
                self.searches().put(words, ids.clone());
                ids
            }
        };
        set &= ids;
        set
    }

    /// Every customer whose search text holds every word.
    fn containing(&self, words: &[String]) -> RoaringBitmap {
        let mut set = self.all.clone();
        let mut grams = Vec::new();
        for w in words {
            let mut g = Vec::new();
            trigrams(w, &mut g);
            grams.extend(g);
        }
        grams.sort_unstable();
        grams.dedup();
        let mut bitmaps = Vec::with_capacity(grams.len());
        for g in &grams {
            match self.trigrams.get(g) {
                Some(b) => bitmaps.push(b),
                None => return RoaringBitmap::new(),
            }
        }
        bitmaps.sort_by_key(|b| b.len());
        for b in bitmaps {
            set &= b;
            if set.is_empty() {
                return set;
            }
        }
        // A word of exactly three characters is its one trigram, which the bitmaps matched
        // exactly; longer words need their trigrams in a row, shorter ones have none.
        let finders: Vec<memmem::Finder> = words
            .iter()
            .filter(|w| w.chars().count() != 3)
            .map(|w| memmem::Finder::new(w.as_bytes()))
            .collect();
        if finders.is_empty() {
            return set;
        }
        RoaringBitmap::from_sorted_iter(set.iter().filter(|id| {
            self.entry(*id).is_some_and(|e| {
                finders
                    .iter()
                    .all(|f| f.find(e.search_text.as_bytes()).is_some())
            })
        }))
        .unwrap_or_default()
    }

    /// One page of `set` in name order.
    fn page(&self, set: &RoaringBitmap, desc: bool, offset: u64, limit: u64) -> Vec<i64> {
        let total = set.len();
        if offset >= total {
            return Vec::new();
        }
        let want = (offset + limit).min(total);
        // Walking the name order visits about want * all / total entries; sorting the
        // matches costs about their number. Take whichever touches fewer.
        let walk = want.saturating_mul(self.all.len().max(1)) / total;
        if walk <= total.saturating_mul(2) {
            let take = |it: &mut dyn Iterator<Item = &u32>| {
                it.filter(|id| set.contains(**id))
                    .skip(offset as usize)
                    .take(limit as usize)
                    .map(|id| i64::from(*id))
                    .collect()
            };
            return if desc {
                take(&mut self.by_name.iter().rev())
            } else {
                take(&mut self.by_name.iter())
            };
        }
        let mut keyed: Vec<(&str, u32)> = set
            .iter()
            .filter_map(|id| self.entry(id).map(|e| (e.name(), id)))
            .collect();
        let cmp = |a: &(&str, u32), b: &(&str, u32)| {
            if desc {
                b.cmp(a)
            } else {
                a.cmp(b)
            }
        };
        let want = want as usize;
        if want < keyed.len() {
            keyed.select_nth_unstable_by(want - 1, cmp);
            keyed.truncate(want);
        }
        keyed.sort_unstable_by(cmp);
        keyed
            .into_iter()
            .skip(offset as usize)
            .map(|(_, id)| i64::from(id))
            .collect()
    }
}

impl ListIndex {
    /// Reads every customer. Runs at server start, and again if the change log was pruned
    /// past what this process had applied.
    pub async fn load(db: &Db) -> AppResult<Self> {
        Ok(Self {
            state: RwLock::new(Self::read_all(db).await?),
            sync_gate: Mutex::new(None),
        })
    }

    async fn read_all(db: &Db) -> AppResult<State> {
        // One read snapshot, so the log position and the rows agree: a deferred SQLite
        // transaction keeps the snapshot of its first read (SQLite has no read-only BEGIN;
        // asking sqlx for one only logs a warning at every start).
        let txn = db.conn.begin().await?;
        let last_seq = query_one(
            &txn,
            "SELECT COALESCE(MAX(seq), 0) AS s FROM customer_changes",
            vec![],
        )
        .await?
        .map(|r| r.try_get::<i64>("", "s"))
        .transpose()?
        .unwrap_or(0);
        let mut state = State {
            last_seq,
            ..State::default()
        };
        let mut grams = Vec::new();
        loop {
            let rows = query_all(
                &txn,
                &format!(
                    "SELECT {ROW_COLUMNS} FROM customers c WHERE c.id > ? ORDER BY c.id LIMIT ?"
                ),
                vec![state.max_id.into(), BATCH.into()],
            )
            .await?;
            for r in &rows {
                if let Some(row) = row_from(r)? {
                    state.max_id = state.max_id.max(i64::from(row.id));
                    grams.clear();
                    trigrams(&row.search_text, &mut grams);
                    state.by_name.push(row.id);
                    state.index(row, &grams);
                }
            }
            if (rows.len() as i64) < BATCH {
                break;
            }
        }
        txn.commit().await?;
        let mut order = std::mem::take(&mut state.by_name);
        order.sort_unstable_by(|a, b| (state.name_of(*a), *a).cmp(&(state.name_of(*b), *b)));
        state.by_name = order;
        state.compact();
        Ok(state)
    }

    /// Brings the index up to date with every write committed before this call.
    pub async fn sync(&self, db: &Db) -> AppResult<()> {
        let asked = Instant::now();
        let mut last = self.sync_gate.lock().await;
        if last.is_some_and(|started| started >= asked) {
            return Ok(());
        }
        let started = Instant::now();
        self.catch_up(db).await?;
        *last = Some(started);
        Ok(())
    }

    async fn catch_up(&self, db: &Db) -> AppResult<()> {
        let (mut last_seq, mut max_id) = {
            let st = self.read();
            (st.last_seq, st.max_id)
        };
        let mut first_round = true;
        let mut applied = 0u64;
        loop {
            // Changes first, then new rows: each later read sees a state at least as new, and
            // applying a row is always "make it what the database says now", so a row read
            // twice, or changed between the two reads, ends up right.
            let rows = query_all(
                &db.conn,
                &format!(
                    "SELECT * FROM (SELECT ch.seq AS seq, ch.customer_id AS changed, {ROW_COLUMNS} \
                     FROM customer_changes ch LEFT JOIN customers c ON c.id = ch.customer_id \
                     WHERE ch.seq > ? ORDER BY ch.seq LIMIT ?) \
                     UNION ALL SELECT * FROM (SELECT NULL AS seq, NULL AS changed, {ROW_COLUMNS} \
                     FROM customers c WHERE c.id > ? ORDER BY c.id LIMIT ?)"
                ),
                vec![last_seq.into(), BATCH.into(), max_id.into(), BATCH.into()],
            )
            .await?;
            if rows.is_empty() {
                return Ok(());
            }
            let mut changes = 0i64;
            let mut new_rows = 0i64;
            let mut removed: Vec<u32> = Vec::new();
            let mut upserts: HashMap<u32, Row> = HashMap::new();
            for r in &rows {
                let seq: Option<i64> = r.try_get("", "seq")?;
                if let Some(seq) = seq {
                    if first_round && changes == 0 && seq > last_seq + 1 {
                        // Entries this process never applied were pruned: start again.
                        let fresh = Self::read_all(db).await?;
                        *self.write() = fresh;
                        return Ok(());
                    }
                    changes += 1;
                    last_seq = last_seq.max(seq);
                    let changed = id_u32(r.try_get::<i64>("", "changed")?)?;
                    match row_from(r)? {
                        Some(row) => {
                            upserts.insert(changed, row);
                        }
                        None => {
                            upserts.remove(&changed);
                            removed.push(changed);
                        }
                    }
                } else if let Some(row) = row_from(r)? {
                    new_rows += 1;
                    max_id = max_id.max(i64::from(row.id));
                    upserts.insert(row.id, row);
                }
            }
            first_round = false;
            let prepared: Vec<(Row, Vec<u64>)> = upserts
                .into_values()
                .map(|row| {
                    let mut g = Vec::new();
                    trigrams(&row.search_text, &mut g);
                    (row, g)
                })
                .collect();
            {
                let mut st = self.write();
                applied += (removed.len() + prepared.len()) as u64;
                st.apply(&removed, prepared);
                // After a large import, give back the slack its growth left.
                if applied >= COMPACT_AFTER && (changes < BATCH && new_rows < BATCH) {
                    st.compact();
                }
                st.last_seq = st.last_seq.max(last_seq);
                st.max_id = st.max_id.max(max_id);
            }
            if changes < BATCH && new_rows < BATCH {
                return Ok(());
            }
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        // A panic while holding the lock cannot leave the maps half-updated in a way that
        // breaks a reader (each insert/remove keeps them consistent), so a poisoned lock is
        // still usable.
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The total and one page of ids, in name order.
    pub fn page(&self, f: &Filter, desc: bool, offset: u64, limit: u64) -> (u64, Vec<i64>) {
        let st = self.read();
        let set = st.matching(f);
        (set.len(), st.page(&set, desc, offset, limit))
    }

    /// Every id that passes the filter, ascending.
    pub fn matching_ids(&self, f: &Filter) -> Vec<i64> {
        self.read().matching(f).iter().map(i64::from).collect()
    }
}

/// Drops change-log entries beyond the newest `CHANGES_KEPT`; the server calls it now and then.
pub async fn prune_changes(db: &Db) -> AppResult<u64> {
    let txn = db.begin_write().await?;
    let n = exec(
        &*txn,
        "DELETE FROM customer_changes WHERE seq <= (SELECT MAX(seq) FROM customer_changes) - ?",
        vec![CHANGES_KEPT.into()],
    )
    .await?;
    txn.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(rows: &[(u32, &str, &str, bool, i64)]) -> State {
        let mut st = State::default();
        for (id, name, text, archived, type_id) in rows {
            let row = Row {
                id: *id,
                type_id: *type_id,
                archived: *archived,
                name_key: (*name).into(),
                search_text: (*text).into(),
            };
            let mut g = Vec::new();
            trigrams(&row.search_text, &mut g);
            st.apply(&[], vec![(row, g)]);
        }
        st
    }

    fn words(q: &str) -> Vec<String> {
        q.split_whitespace().map(str::to_owned).collect()
    }

    fn ids(st: &State, q: &str, archived: ArchivedFilter) -> Vec<i64> {
        let w = words(q);
        let f = Filter {
            words: &w,
            archived,
            type_id: None,
        };
        st.matching(&f).iter().map(i64::from).collect()
    }

    #[test]
    fn trigrams_stay_inside_words_and_are_unique() {
        let mut g = Vec::new();
        trigrams("abab ab\nxyz", &mut g);
        let mut expect = Vec::new();
        for t in ["aba", "bab", "xyz"] {
            let c: Vec<u64> = t.chars().map(|c| c as u64).collect();
            expect.push((c[0] << 42) | (c[1] << 21) | c[2]);
        }
        expect.sort_unstable();
        assert_eq!(g, expect);
    }

    #[test]
    fn words_match_substrings_of_any_length_and_are_anded() {
        let st = state(&[
            (1, "garcia roofing", "garcia roofing\nc-00001", false, 1),
            (2, "gar cia", "gar cia\nc-00002", false, 1),
            (3, "mcgarcia", "mcgarcia\nc-00003\n0711", false, 1),
            (4, "acme", "acme\n100%_\\", false, 1),
        ]);
        let a = ArchivedFilter::Active;
        assert_eq!(ids(&st, "garcia", a), vec![1, 3]);
        assert_eq!(ids(&st, "gar", a), vec![1, 2, 3]);
        assert_eq!(ids(&st, "ga", a), vec![1, 2, 3]);
        assert_eq!(ids(&st, "garcia roof", a), vec![1]);
        // Trigrams "gar", "arc", "rci", "cia" are all in row 2's words only apart.
        assert_eq!(ids(&st, "garci", a), vec![1, 3]);
        assert_eq!(ids(&st, "%_\\", a), vec![4]);
        assert_eq!(ids(&st, "%", a), vec![4]);
        assert_eq!(ids(&st, "zzz", a), Vec::<i64>::new());
        assert_eq!(ids(&st, "00001", a), vec![1]);
    }

    #[test]
    fn filters_and_removal() {
        let mut st = state(&[
            (1, "a", "alpha", false, 1),
            (2, "b", "alpha beta", true, 2),
            (3, "c", "alphabet", false, 2),
        ]);
        assert_eq!(ids(&st, "alpha", ArchivedFilter::Active), vec![1, 3]);
        assert_eq!(ids(&st, "alpha", ArchivedFilter::Archived), vec![2]);
        assert_eq!(ids(&st, "alpha", ArchivedFilter::All), vec![1, 2, 3]);
        let f = Filter {
            words: &[],
            archived: ArchivedFilter::All,
            type_id: Some(2),
        };
        assert_eq!(st.matching(&f).len(), 2);
        st.apply(&[3], Vec::new());
        assert_eq!(ids(&st, "alpha", ArchivedFilter::All), vec![1, 2]);
        assert_eq!(st.matching(&f).len(), 1);
        assert!(
            !st.trigrams.contains_key(&{
                let mut g = Vec::new();
                trigrams("bet", &mut g);
                g[0]
            }) || ids(&st, "abet", ArchivedFilter::All).is_empty()
        );
        assert_eq!(st.by_name.len(), 2);
    }

    #[test]
    fn cached_searches_follow_inserts_updates_and_removals() {
        let mut st = state(&[
            (1, "a", "alpha garcia", false, 1),
            (2, "b", "beta garcia", false, 1),
            (3, "c", "gamma", false, 1),
        ]);
        let a = ArchivedFilter::Active;
        let queries = ["garcia", "garcia alpha", "alpha garcia", "ga", "gar", "zzz"];
        for q in queries {
            ids(&st, q, a);
        }
        // "garcia alpha" and "alpha garcia" are one search.
        assert_eq!(st.searches().entries.len(), 5);
        let put = |st: &mut State, id: u32, text: &str| {
            let row = Row {
                id,
                type_id: 1,
                archived: false,
                name_key: text.into(),
                search_text: text.into(),
            };
            let mut g = Vec::new();
            trigrams(&row.search_text, &mut g);
            st.apply(&[], vec![(row, g)]);
        };
        put(&mut st, 4, "delta garcia alpha");
        put(&mut st, 2, "beta");
        put(&mut st, 3, "gamma garcia");
        st.apply(&[1], Vec::new());
        for q in queries {
            let cached = ids(&st, q, a);
            let mut w = words(q);
            w.sort_unstable();
            w.dedup();
            let fresh: Vec<i64> = st.containing(&w).iter().map(i64::from).collect();
            assert_eq!(cached, fresh, "{q}");
        }
        assert_eq!(ids(&st, "garcia", a), vec![3, 4]);
        assert_eq!(ids(&st, "garcia alpha", a), vec![4]);
        assert_eq!(ids(&st, "ga", a), vec![3, 4]);
    }

    fn row(id: u32, name: &str, text: &str) -> (Row, Vec<u64>) {
        let row = Row {
            id,
            type_id: 1,
            archived: false,
            name_key: name.into(),
            search_text: text.into(),
        };
        let mut g = Vec::new();
        trigrams(&row.search_text, &mut g);
        (row, g)
    }

    fn assert_in_name_order(st: &State) {
        let mut expect: Vec<(String, u32)> = st
            .all
            .iter()
            .map(|id| (st.name_of(id).to_owned(), id))
            .collect();
        expect.sort();
        let got: Vec<u32> = st.by_name.clone();
        assert_eq!(got, expect.iter().map(|(_, id)| *id).collect::<Vec<_>>());
    }

    #[test]
    fn name_order_stays_sorted_through_single_and_bulk_updates() {
        let mut st = State::default();
        let name = |i: u32, round: u32| format!("n{:03}", (i * 37 + round * 11) % 97);
        st.apply(
            &[],
            (1..=300)
                .map(|i| row(i, &name(i, 0), &format!("{}\nc-{i}", name(i, 0))))
                .collect(),
        );
        assert_in_name_order(&st);
        // One by one: a rename, a new customer, a removal.
        st.apply(&[], vec![row(7, "zzz", "zzz\nc-7")]);
        st.apply(&[], vec![row(301, "aaa", "aaa\nc-301")]);
        st.apply(&[5], Vec::new());
        assert_in_name_order(&st);
        assert_eq!(st.by_name.first(), Some(&301));
        // In bulk (more than ORDER_ONE_BY_ONE): renames and removals together.
        let removed: Vec<u32> = (200..220).collect();
        st.apply(
            &removed,
            (1..=150)
                .map(|i| row(i, &name(i, 1), &format!("{}\nc-{i}", name(i, 1))))
                .collect(),
        );
        assert_in_name_order(&st);
        assert_eq!(st.by_name.len() as u64, st.all.len());
        assert!(!st.by_name.contains(&210) && st.by_name.contains(&5));
        st.compact();
        assert_in_name_order(&st);
        assert_eq!(ids(&st, "c-150", ArchivedFilter::Active), vec![150]);
    }

    #[test]
    fn a_name_missing_from_the_search_text_still_sorts_and_never_matches() {
        let mut st = State::default();
        st.apply(&[], vec![row(1, "  ", "c-001"), row(2, "b", "b\nc-002")]);
        assert_eq!(st.name_of(1), "  ");
        assert_eq!(st.by_name, vec![1, 2]);
        assert_eq!(ids(&st, "c-001", ArchivedFilter::Active), vec![1]);
        assert_eq!(ids(&st, "c-00", ArchivedFilter::Active), vec![1, 2]);
    }

    #[test]
    fn pages_follow_name_then_id_both_ways_whichever_strategy() {
        // Names repeat so that ids break ties; 300 rows, every third one matches "x".
        let rows: Vec<(u32, String, String)> = (1..=300u32)
            .map(|i| {
                let name = format!("n{:02}", (i * 7) % 50);
                let text = if i % 3 == 0 {
                    format!("{name} x")
                } else {
                    name.clone()
                };
                (i, name, text)
            })
            .collect();
        let borrowed: Vec<(u32, &str, &str, bool, i64)> = rows
            .iter()
            .map(|(i, n, t)| (*i, n.as_str(), t.as_str(), false, 1))
            .collect();
        let st = state(&borrowed);
        for q in ["", "x"] {
            let w = words(q);
            let f = Filter {
                words: &w,
                archived: ArchivedFilter::Active,
                type_id: None,
            };
            let set = st.matching(&f);
            let mut expect: Vec<(String, u32)> = rows
                .iter()
                .filter(|(i, _, _)| set.contains(*i))
                .map(|(i, n, _)| (n.clone(), *i))
                .collect();
            expect.sort();
            for desc in [false, true] {
                let ordered: Vec<i64> = if desc {
                    expect.iter().rev().map(|(_, i)| i64::from(*i)).collect()
                } else {
                    expect.iter().map(|(_, i)| i64::from(*i)).collect()
                };
                for (offset, limit) in [(0, 25), (25, 25), (90, 25), (0, 200), (295, 25)] {
                    let got = st.page(&set, desc, offset, limit);
                    let want: Vec<i64> = ordered
                        .iter()
                        .skip(offset as usize)
                        .take(limit as usize)
                        .copied()
                        .collect();
                    assert_eq!(got, want, "q={q:?} desc={desc} offset={offset}");
                }
            }
        }
    }
}
