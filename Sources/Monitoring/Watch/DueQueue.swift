/// Hosts ordered by when their next poll is due: a binary min-heap, so a watch over 10,000 hosts
/// finds the due ones without scanning the whole fleet after every answer.
struct DueQueue {
    private var heap: [(due: ContinuousClock.Instant, host: Int)] = []

    var isEmpty: Bool { heap.isEmpty }

    /// The earliest due time.
    var next: ContinuousClock.Instant? { heap.first?.due }

    mutating func push(_ host: Int, at due: ContinuousClock.Instant) {
        heap.append((due, host))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].due < heap[parent].due else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns at most `limit` hosts due at or before `now`, earliest first.
    mutating func popDue(_ now: ContinuousClock.Instant, limit: Int = Int.max) -> [Int] {
        var due: [Int] = []
        while due.count < limit, let first = heap.first, first.due <= now {
            due.append(first.host)
            let last = heap.removeLast()
            guard !heap.isEmpty else { break }
            heap[0] = last
            var parent = 0
            while true {
                let left = parent * 2 + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count && heap[left].due < heap[smallest].due { smallest = left }
                if right < heap.count && heap[right].due < heap[smallest].due { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return due
    }
}
