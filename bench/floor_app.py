"""The floor of the app bench: a page as small as the Overview's shape can be (a title, six
tiles, two plotly charts of a dozen bars), no data, no library. Served on a new server and drawn
in a new browser, it takes what Streamlit and chromium take on this machine, whatever the app does.
"""

import plotly.graph_objects as go
import streamlit as st

st.title("Overview")
tiles = [column for _ in range(2) for column in st.columns(3)]
for i, column in enumerate(tiles):
    column.metric(f"Figure {i}", f"{i * 100:,}", delta=i, border=True)
left, right = st.columns([3, 2])
left.plotly_chart(go.Figure(go.Bar(x=list(range(12)), y=list(range(12)))), key="months")
right.plotly_chart(
    go.Figure(go.Bar(y=list(range(10)), x=list(range(10)), orientation="h")), key="top"
)
