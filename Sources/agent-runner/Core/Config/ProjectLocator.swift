/// Finds the project's agent-runner.toml when the command line names none, the way git finds
/// its repository: the current folder, then each folder above it, up to the top of the git work
/// tree holding the current folder (a project is a git work tree, so a config above that belongs
/// to something else), or up to `/` outside any work tree. So `agent-runner status` works from
/// `prompts/`, and the error for a folder with no project says where it looked.
public struct ProjectLocator: Sendable, Equatable {
    public static let fileName = "agent-runner.toml"

    /// What the search found.
    public enum Answer: Sendable, Equatable {
        /// The config in `directory` (the start or a folder above it).
        case found(path: String, directory: String)
        /// None: looked in `start` and the folders above it up to `top`; `workTreeTop` is the
        /// top of the git work tree on the way, if any (where `init` would belong).
        case missing(start: String, top: String, workTreeTop: String?)
    }

    /// Searches from `start` (absolute); `exists` answers whether a path exists.
    public static func locate(from start: String, exists: (String) -> Bool) -> Answer {
        var directory = normalized(start)
        while true {
            let candidate = join(directory, fileName)
            if exists(candidate) { return .found(path: candidate, directory: directory) }
            let isWorkTreeTop = exists(join(directory, ".git"))
            guard !isWorkTreeTop, let parent = parent(of: directory) else {
                return .missing(
                    start: normalized(start), top: directory, workTreeTop: isWorkTreeTop ? directory : nil)
            }
            directory = parent
        }
    }

    /// The end of a "no such file" error: where the search looked and the next step.
    public static func missingHint(start: String, top: String, workTreeTop: String?) -> String {
        let looked =
            start == top
            ? "looked in \(start)"
            : "looked in \(start) and every folder above it up to \(top)"
        let next: String
        if let workTreeTop {
            next = "run 'agent-runner init' in \(workTreeTop) (the top of this git work tree) to create the project"
        } else {
            next =
                "run 'agent-runner init' in the project's folder (a git work tree: 'git init' first) to create one"
        }
        return "\(looked); \(next), or pass --config PATH"
    }

    /// `path` without trailing slashes (`/` stays `/`): how ``Answer`` spells directories.
    public static func normalized(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory == "/" ? "/" + name : directory + "/" + name
    }

    static func parent(of directory: String) -> String? {
        guard directory != "/", let slash = directory.lastIndex(of: "/") else { return nil }
        return slash == directory.startIndex ? "/" : String(directory[..<slash])
    }
}
