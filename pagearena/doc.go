// Package pagearena implements Arena, page-backed memory with the tricks an
// operating system plays with it: a shared zero page, fork() in O(1) with
// copy-on-write pages, thin provisioning with a frame limit, and KSM-style
// merging of identical pages. It reproduces, inside one Go process, what
// fork(), device-mapper thin pools and Linux's kernel samepage merging do
// for a whole machine.
//
// # Pages, frames and the zero page
//
// An Arena of Size bytes is cut into pages of PageSize bytes (4 KiB unless
// [WithPageSize] says otherwise). A page is backed either by a frame, a
// PageSize []byte of its own, or by the zero page: a sentinel that stands
// for a page of zeros, is never written and never counted. [New] maps every
// page to the zero page, so a 1 GiB arena costs nothing until written, and
// reading a page never written allocates nothing. The first write to a page
// gives it a frame.
//
// # Fork and copy-up
//
// The page table, from page numbers to frames, is itself a copy-on-write
// tree: a radix tree of 64-way nodes with Rodeh's lazy reference counts.
// Linux's fork() does not share page tables: it copies the parent's page
// tables eagerly and shares only the pages, copy-on-write. Sharing the page
// tables copy-on-write too, as here, is what On-demand-fork proposes (Zhao
// et al., EuroSys 2021), a research design that mainline Linux does not
// have. [Arena.Fork] counts one more holder of the root and is done: O(1)
// at any size, where a real fork() of a process with 1 GiB resident takes
// about 20 ms to copy its page tables. The first write to a shared page
// copies that page (copy-up) and only the page-table nodes on its path
// that are still shared; later writes to it are in place and allocate
// nothing. That first write costs about 1.4 us for a 4 KiB page here, where
// the kernel's copy-on-write fault after a real fork() takes 2 to 3.5 us:
// two allocations (the frame and its bytes) once the path is private, plus
// one per shared page-table node on it (three more for the first write
// after a Fork of a 1 GiB arena of 4 KiB pages).
//
//	a, _ := pagearena.New(1 << 30)   // 1 GiB of zero pages, no frame
//	a.WriteAt(data, 0)               // page 0 gets a frame
//	b := a.Fork()                    // O(1): b shares every page with a
//	b.WriteAt([]byte("x"), 10)       // b copies page 0, then writes
//
// # Thin provisioning
//
// An arena and every arena forked from it draw frames from one pool.
// [WithLimit] caps the frames the pool may hold, as a thin pool's size caps
// its volumes: any arena may be far bigger than the limit, and only the
// pages written count. A write that would pass the limit fails with
// [ErrNoSpace] and writes nothing, even if it spans several pages. Frames go
// back to the pool when no arena holds them: [Arena.Release] gives back an
// arena's frames at once, [Arena.Discard] the frames of a range (punching a
// hole), and then the write that failed succeeds. An arena dropped without
// Release is released by the garbage collector after a collection (a
// cleanup registered by New and Fork), so forgetting Release never leaks;
// [Stats] counts such arenas' frames until then.
//
// # Merging identical pages
//
// [Arena.Dedupe] does what Linux's KSM does for virtual machines: it finds
// frames with identical bytes anywhere in the pool (by hash, then byte by
// byte), points the arena's pages at one of them, and maps pages of zeros
// back to the zero page. Like KSM's stable tree, the pool keeps an index of
// its frames by content, so each call hashes only the frames written since
// the last one. The merged frame is shared, so a later write to
// one of its pages copies it up again.
//
// # Comparing versions
//
// [Arena.Diff] lists the pages whose frames differ between two arenas of a
// pool, skipping the parts of their page tables that they still share: the
// pages written since a Fork, found in time proportional to their number.
//
// # Concurrency
//
// Arenas of one pool may be used on different goroutines without locking:
// frame and node counts are atomic, and a shared page or node is never
// written in place. One arena is not safe for concurrent mutation;
// concurrent reads of one arena, Fork included, are safe. The exception is
// Dedupe, which reads the frames of every arena in the pool: it must not
// run while another goroutine writes to an arena of the same pool. Fork and
// Release take a short lock on the pool's list of arenas, which Dedupe
// walks; reads and writes never lock.
//
// # Snapshot streams
//
// [Arena.Send] writes an arena to an io.Writer, skipping the zero page, or
// only the pages written since a base snapshot (those Diff reports);
// [Arena.Receive] applies a stream, all or nothing and within the pool's
// limit. See btree's Map.Send for how snapshots are named, and package
// codec for the format.
package pagearena
