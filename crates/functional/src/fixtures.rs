//! Objects many tests need: a cloud with a region, cells, hosts, users of each role, another
//! project. Each helper asserts the creation succeeded and answers the new object's id.
