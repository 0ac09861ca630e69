"""`fxe report`: one self-contained HTML page for a folder of fxe outputs."""

from fxcli.report.html_report import build_report

__all__ = ["build_report"]
