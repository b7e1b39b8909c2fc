"""One module per benchmark scenario; each returns `prm.bench.measure.Result`s."""
