package main

// A History is undo and redo as a list of versions of a buffer: each edit
// makes a new version, a Clone of the current one with the edit applied,
// and no version is written once it is made. So undoing is stepping back
// through the list and redoing stepping forward, both O(1), and what the
// history costs is what each representation's Clone and edit copy.
type History struct {
	versions []Buffer // oldest first
	at       int      // index of the current version
}

// NewHistory returns a history whose first version is b; it takes b over.
func NewHistory(b Buffer) *History {
	return &History{versions: []Buffer{b}}
}

// Current returns the current version. It is shared with the history:
// read it or clone it, but do not edit it.
func (h *History) Current() Buffer { return h.versions[h.at] }

// Version returns the index of the current version, 0 for the first.
func (h *History) Version() int { return h.at }

// Len returns the number of versions kept, redoable ones included.
func (h *History) Len() int { return len(h.versions) }

// At returns version i; as with Current, do not edit it.
func (h *History) At(i int) Buffer { return h.versions[i] }

// Do makes a new version: a clone of the current one, with e applied. The
// versions Redo could have reached are released, as an editor drops its
// redo stack on a new edit.
func (h *History) Do(e edit) {
	for _, v := range h.versions[h.at+1:] {
		v.Release()
	}
	clear(h.versions[h.at+1:])
	h.versions = h.versions[:h.at+1]
	next := h.versions[h.at].Clone()
	e.apply(next)
	h.versions = append(h.versions, next)
	h.at++
}

// Undo goes back one version, if there is one.
func (h *History) Undo() bool {
	if h.at == 0 {
		return false
	}
	h.at--
	return true
}

// Redo goes forward one version, if an Undo left one.
func (h *History) Redo() bool {
	if h.at == len(h.versions)-1 {
		return false
	}
	h.at++
	return true
}

// Release releases every version. The history must not be used afterwards.
func (h *History) Release() {
	for _, v := range h.versions {
		v.Release()
	}
	h.versions, h.at = nil, 0
}
