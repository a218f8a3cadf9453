/// What a test needs and did not find (a tool, a package, a recorded sample, root, a cgroup
/// controller). Thrown, it fails the test with its message, which says how to provide the
/// missing piece: the suite never skips, so a machine without it shows failures, not a
/// silently smaller run.
public struct MissingPrerequisite: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
