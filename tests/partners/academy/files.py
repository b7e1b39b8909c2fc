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
# Audio-only and phone formats list MP4 brands among their compatible ones: refused all the same.
M4A = b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 64
GP3 = b"\x00\x00\x00\x18ftyp3gp4\x00\x00\x02\x00isom3gp4" + b"\x00" * 64
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
