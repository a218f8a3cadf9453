import Glibc

/// Linux and glibc calls that Swift's Glibc module does not import: GNU extensions behind
/// `_GNU_SOURCE` and the variadic `prctl`. Looked up with `dlsym` at run time, as FleetCore's
/// process runner does, so an older glibc degrades to a clear error instead of a link failure.
enum LinuxCalls {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32

    /// `pipe2(2)`: pipes that are close-on-exec from birth, so a process another thread spawns
    /// at the same moment cannot inherit chromium's DevTools pipe and keep it open.
    static let pipe2: Pipe2? = lookup("pipe2")
    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+): chromium gets descriptors 0-4
    /// only, not ones other code in the test process leaked without `O_CLOEXEC`.
    static let addCloseFrom: AddCloseFrom? = lookup("posix_spawn_file_actions_addclosefrom_np")
    /// `prctl(2)`, for `PR_SET_CHILD_SUBREAPER` (see ``ChildSubreaper``).
    static let prctl: Prctl? = lookup("prctl")

    static let setChildSubreaper: Int32 = 36  // PR_SET_CHILD_SUBREAPER
    static let getChildSubreaper: Int32 = 37  // PR_GET_CHILD_SUBREAPER

    private static func lookup<Function>(_ name: String) -> Function? {
        guard let symbol = dlsym(nil, name) else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }
}
