import Glibc
import Synchronization

/// Makes this process the reaper of chromium's orphans while a browser shuts down.
///
/// When chromium's browser process exits, its helpers (zygotes, renderers, the GPU and utility
/// processes) outlive it by a moment and are re-parented to PID 1. On the CI machines PID 1 does
/// not reap, so they would stay behind as zombies of the browser's process group, one set per
/// test class. As a child subreaper (`PR_SET_CHILD_SUBREAPER`) this process receives them
/// instead and reaps them (``ChromiumProcess/stop(grace:requestClose:)``).
///
/// The setting is process-wide: while it is on, an orphan of any other child of this process
/// (a test's `sh -c 'sleep 1000 &'`) would be adopted too, and tests count this process's
/// children. So it is held only while a browser starts or shuts down (under a second each;
/// at start-up it catches chromium's crash handlers, which double-fork out of its group),
/// counted so two browsers starting or closing at once share it, and left alone if something
/// else had already set it.
enum ChildSubreaper {
    private struct State {
        var holders = 0
        var setHere = false
    }

    private static let state = Mutex(State())

    static func acquire() {
        state.withLock { state in
            state.holders += 1
            guard state.holders == 1, let prctl = LinuxCalls.prctl else { return }
            var current: Int32 = 0
            let queried = withUnsafeMutablePointer(to: &current) { pointer in
                prctl(LinuxCalls.getChildSubreaper, UInt(bitPattern: pointer), 0, 0, 0)
            }
            if queried == 0 && current != 0 { return }
            state.setHere = prctl(LinuxCalls.setChildSubreaper, 1, 0, 0, 0) == 0
        }
    }

    static func release() {
        state.withLock { state in
            state.holders -= 1
            guard state.holders == 0, state.setHere, let prctl = LinuxCalls.prctl else { return }
            _ = prctl(LinuxCalls.setChildSubreaper, 0, 0, 0, 0)
            state.setHere = false
        }
    }
}
