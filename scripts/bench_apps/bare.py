"""The bare page every figure of `make bench` is compared with: one number input, one small plotly chart."""

import plotly.graph_objects as go
import streamlit as st

x = st.number_input("Value", value=1.0, key="bare_value")
fig = go.Figure(go.Scatter(x=[0, 1, 2, 3, 4], y=[0, x, 2 * x, x, 3 * x], mode="lines+markers"))
fig.update_layout(height=260, margin={"l": 30, "r": 10, "t": 10, "b": 30})
with st.container(key="bare_main"):
    st.plotly_chart(fig, key="bare_chart", width="stretch", config={"displayModeBar": False})
