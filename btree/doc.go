// Package btree implements Map, an ordered map in a copy-on-write B+tree with
// O(1) snapshots.
package btree
