/// Where a release file is: a path in a directory, or an http(s) URL.
public enum ReleaseLocation: Sendable, Equatable, CustomStringConvertible {
    case file(String)
    case url(String)

    public var description: String {
        switch self {
        case .file(let path): path
        case .url(let url): url
        }
    }
}
