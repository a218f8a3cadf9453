import FleetCore

/// Reads HEAD of a plain git checkout straight from `.git` (HEAD, then the loose ref or
/// packed-refs), saving a git process before every round. Anything unusual — a `.git` file
/// (worktree, submodule), a missing ref, a detached HEAD in an odd form — returns nil, and the
/// caller asks git itself.
enum GitHeadReader {
    /// `(isWorkTree: true, head)` when `workDir/.git` is a readable repository directory, else nil.
    static func read(workDir: String, fileSystem fs: any FileSystem) -> (isWorkTree: Bool, head: String?)? {
        let gitDir = workDir + "/.git"
        guard let headBytes = try? fs.readFile(gitDir + "/HEAD", limit: 4096) else { return nil }
        let head = String(decoding: headBytes, as: UTF8.self).trimmingCharacters(in: "\n\r ")
        if isSHA(head) { return (true, head) }
        guard head.hasPrefix("ref: refs/") else { return nil }
        let ref = String(head.dropFirst(5))
        guard !ref.contains("..") else { return nil }
        if let loose = try? fs.readFile(gitDir + "/" + ref, limit: 4096) {
            let sha = String(decoding: loose, as: UTF8.self).trimmingCharacters(in: "\n\r ")
            return isSHA(sha) ? (true, sha) : nil
        }
        guard let packed = try? fs.readFile(gitDir + "/packed-refs", limit: 16 << 20) else {
            // A branch with no commits yet: a work tree without HEAD.
            return fs.exists(gitDir + "/objects") ? (true, nil) : nil
        }
        for line in String(decoding: packed, as: UTF8.self).split(separator: "\n") where line.hasSuffix(" " + ref) {
            let sha = String(line.prefix(40))
            return isSHA(sha) ? (true, sha) : nil
        }
        return fs.exists(gitDir + "/objects") ? (true, nil) : nil
    }

    static func isSHA(_ text: String) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
