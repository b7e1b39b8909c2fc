"""Small files for upload tests: what each kind's first bytes look like."""

PDF = b"%PDF-1.7\n" + b"0" * 64
# An ISO base media file: an 'ftyp' box (24 bytes, brand isom, compatible isom mp41), then data.
MP4 = (
    b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41"
    + b"\x00\x00\x00\x08free"
    + bytes(range(200))
)
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  " + b"\x00" * 64  # QuickTime
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64
