/** The consumer as a module: run on the module path it needs no flag for the Vector API. */
module org.example.consumer {
    requires org.bptt4j.kernels;
}
