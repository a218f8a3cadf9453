import Glibc

/// glibc GNU extensions that Swift's Glibc module does not import (they sit behind
/// `_GNU_SOURCE`). They are looked up with `dlsym` at run time, so FleetCore needs no C
/// shim target and an older glibc degrades to a clear error instead of a link failure.
enum GNULibc {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32

    /// `pipe2(2)` (glibc 2.9+): pipes that are close-on-exec from birth.
    static let pipe2: Pipe2? = lookup("pipe2")
    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+): closes every descriptor
    /// from N up in the child, including ones other code opened without `O_CLOEXEC`.
    static let addCloseFrom: AddCloseFrom? = lookup("posix_spawn_file_actions_addclosefrom_np")
    /// `posix_spawn_file_actions_addchdir_np` (glibc 2.29+): chdir in the child before exec.
    static let addChdir: AddChdir? = lookup("posix_spawn_file_actions_addchdir_np")
    /// `POSIX_SPAWN_SETSID` from <spawn.h> (glibc 2.26+). Older glibc rejects the flag
    /// with EINVAL in `posix_spawnattr_setflags`, which the runner reports.
    static let spawnSetSID: Int16 = 0x80

    private static func lookup<Function>(_ name: String) -> Function? {
        // A nil handle is RTLD_DEFAULT: search the libraries already loaded (libc is).
        guard let symbol = dlsym(nil, name) else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }
}
