"""What the tests and the benchmarks share: live servers, browsers, databases, forms and sign-in."""
