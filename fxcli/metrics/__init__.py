"""The papers' metrics: pure formulas (one module per paper) and the scoring engine behind `fxe score`."""
