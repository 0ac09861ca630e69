"""Stylizing portraits: classical 2D cartoon styles and the fitted avatar (`fxe stylize`)."""
