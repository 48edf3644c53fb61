"""Reporting: report rows in, CSV / XLSX / PDF files out. No Qt, no torch."""
