#if canImport(Glibc)
    import Glibc
#endif

/// A process-wide memory setting the command line (and the benchmarks, which measure what it does)
/// applies before any work.
public enum ProcessMemory {
    /// Has glibc give every allocation of 4 MiB or more its own mapping, handed back to the system when
    /// freed. By default glibc raises that threshold each time such a block is freed (up to 32 MiB),
    /// so the large arrays a run builds and then drops (a zone's sort keys, the pieces of a zone file
    /// read in parallel) stay resident for the rest of the run: on the 200,000-name NSEC3 benchmark
    /// zone the peak was about 350 MB without this and 304 MB with it, for 0.3 s more system time.
    public static func returnLargeBlocksToTheSystem() {
        #if canImport(Glibc)
            // mallopt is declared in <malloc.h>, which Swift's Glibc module leaves out; M_MMAP_THRESHOLD
            // is -3 there.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
            _ = unsafeBitCast(symbol, to: Mallopt.self)(-3, 4 << 20)
        #endif
    }
}
