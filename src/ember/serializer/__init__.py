"""ember.serializer: PyTorch's checkpoint formats, written and read without torch.

- `zipwriter` / `zipreader`: the zip container (aligned stored records, data descriptors, zip64,
  CRCs), bounds-checked reading; `source`: random-access byte sources; `crc`: fast CRC-32.
- `pickler`: pickling in PyTorch's conventions (persistent ids for storages, rebuild globals);
  `compact`: the `compact=True` plan.
- `unpickler`, `rebuild`, `allowlist`: the allowlisting (weights_only) and trusting unpicklers
  and the ember objects behind PyTorch's global names; `scan`: refused globals, nothing run;
  `peek`: an unpickler that stands refused globals in with records, to show what a file holds;
  `mathbits`: PyTorch's lazy conj/neg bits; `location`: `map_location` on a CPU-only loader.
- `zipformat` / `legacy`: the two file formats end to end.

The public face is `ember.serialization` (`ember.save`, `ember.load`).
"""
