/// Where a process's memory cgroup is: which hierarchy (v1 `memory` controller or the v2
/// unified tree), its path in that hierarchy, and the directory holding its files.
///
/// Found once (serve boot, a round's spawn) from `/proc/PID/cgroup` and `/proc/self/mountinfo`,
/// so this part may build Strings; the per-tick reads go through ``CgroupMemoryFiles``.
public struct CgroupLocation: Sendable, Equatable {
    public enum Version: String, Sendable, Equatable {
        case v1
        case v2
    }

    public var version: Version
    /// The path as `/proc/PID/cgroup` writes it (`/user.slice/…/agent-runner@demo.service`).
    public var cgroupPath: String
    /// The directory of the cgroup's files (`/sys/fs/cgroup/user.slice/…`).
    public var directory: String
    /// The hierarchy's mount point: walking up for a bounding limit stops there.
    public var mountPoint: String

    public init(version: Version, cgroupPath: String, directory: String, mountPoint: String) {
        self.version = version
        self.cgroupPath = cgroupPath
        self.directory = directory
        self.mountPoint = mountPoint
    }

    /// The directories from this cgroup up to the mount point, nearest first.
    public var ancestry: [String] {
        var result = [directory]
        var current = directory
        while current.count > mountPoint.count, let slash = current.lastIndex(of: "/") {
            current = String(current[..<slash])
            guard current.count >= mountPoint.count else { break }
            result.append(current)
        }
        return result
    }

    /// The v1 `memory` location and the v2 location of the process whose `/proc/PID/cgroup`
    /// is `procCgroup`, as far as the mounts in `mountinfo` show them. On a hybrid host (v1
    /// controllers plus a v2 tree at `/sys/fs/cgroup/unified`) both exist, but the memory
    /// controller is bound to v1; the reader prefers v1 and uses v2 only when its directory has
    /// `memory.current`.
    public static func candidates(procCgroup: String, mountinfo: String) -> (v1: CgroupLocation?, v2: CgroupLocation?) {
        var v1Path: String?
        var v2Path: String?
        for line in procCgroup.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if fields[0] == "0" && fields[1].isEmpty {
                v2Path = String(fields[2])
            } else if fields[1].split(separator: ",").contains("memory") {
                v1Path = String(fields[2])
            }
        }
        var v1Mount: Mount?
        var v2Mount: Mount?
        for line in mountinfo.split(separator: "\n") {
            guard let mount = Mount(line) else { continue }
            if mount.type == "cgroup2", v2Mount == nil {
                v2Mount = mount
            } else if mount.type == "cgroup", v1Mount == nil,
                mount.superOptions.split(separator: ",").contains("memory")
            {
                v1Mount = mount
            }
        }
        func location(_ version: Version, _ path: String?, _ mount: Mount?) -> CgroupLocation? {
            guard let path, let mount else { return nil }
            var relative = Substring(path)
            if mount.root != "/" && relative.hasPrefix(mount.root) { relative = relative.dropFirst(mount.root.count) }
            if relative == "/" { relative = "" }
            return CgroupLocation(
                version: version, cgroupPath: path, directory: mount.point + relative, mountPoint: mount.point)
        }
        return (location(.v1, v1Path, v1Mount), location(.v2, v2Path, v2Mount))
    }

    /// One line of `/proc/self/mountinfo`:
    /// `35 24 0:30 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate`.
    struct Mount {
        var root: String
        var point: String
        var type: Substring
        var superOptions: Substring

        init?(_ line: Substring) {
            let fields = line.split(separator: " ")
            guard fields.count >= 7, let dash = fields.firstIndex(of: "-"), dash >= 6, dash + 3 < fields.count else {
                return nil
            }
            root = Self.unescape(fields[3])
            point = Self.unescape(fields[4])
            type = fields[dash + 1]
            superOptions = fields[dash + 3]
        }

        /// mountinfo writes space, tab, newline and backslash in paths as `\040`-style octal.
        static func unescape(_ field: Substring) -> String {
            guard field.contains("\\") else { return String(field) }
            var bytes: [UInt8] = []
            let utf8 = Array(field.utf8)
            var index = 0
            while index < utf8.count {
                if utf8[index] == UInt8(ascii: "\\"), index + 3 < utf8.count {
                    let digits = utf8[(index + 1)...(index + 3)]
                    if digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }) {
                        bytes.append(digits.reduce(0) { $0 &* 8 &+ ($1 &- UInt8(ascii: "0")) })
                        index += 4
                        continue
                    }
                }
                bytes.append(utf8[index])
                index += 1
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
