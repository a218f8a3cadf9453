import Glibc

/// A NULL-terminated array of C strings (argv or envp) for `posix_spawn`, freed on deinit.
/// Callers reject strings containing NUL first; `strdup` would silently cut them short.
final class CStringArray {
    private let storage: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let count: Int

    init(_ strings: [String]) throws(ProcessError) {
        count = strings.count
        storage = .allocate(capacity: strings.count + 1)
        storage.initialize(repeating: nil, count: strings.count + 1)
        for (index, string) in strings.enumerated() {
            storage[index] = strdup(string)
            if storage[index] == nil {
                throw ProcessError(.resources, "out of memory while preparing arguments; free memory on this host")
            }
        }
    }

    deinit {
        for index in 0..<count { free(storage[index]) }
        storage.deallocate()
    }

    var pointer: UnsafePointer<UnsafeMutablePointer<CChar>?> { UnsafePointer(storage) }
}
