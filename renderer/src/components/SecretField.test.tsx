import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AppError } from '../../../shared/errors/AppError'

const setSecret = vi.fn()
vi.mock('../platform/api', () => ({
  api: { vault: { setSecret: (r: unknown) => setSecret(r), clearSecret: vi.fn() } },
}))

const { SecretField } = await import('./SecretField')

afterEach(() => {
  cleanup()
  setSecret.mockReset()
})

describe('SecretField', () => {
  it('sends the value once and empties the field after saving', async () => {
    setSecret.mockResolvedValue({})
    render(
      <SecretField
        name="openaiApiKey"
        label="OpenAI API key"
        help=""
        status={{ configured: false, hint: '' }}
      />,
    )
    const input = screen.getByLabelText('OpenAI API key')
    fireEvent.change(input, { target: { value: 'sk-abcdefgh12345678' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect((input as HTMLInputElement).value).toBe(''))
    expect(setSecret).toHaveBeenCalledWith({ name: 'openaiApiKey', value: 'sk-abcdefgh12345678' })
    expect(screen.getByRole('status').textContent).toContain('Saved')
  })

  it('asks before storing with weak protection and retries with consent', async () => {
    setSecret
      .mockRejectedValueOnce(
        new AppError({ code: 'insecure_storage', message: 'No system keyring was found', retryable: false }),
      )
      .mockResolvedValueOnce({})
    render(<SecretField name="workerToken" label="Token" help="" status={{ configured: false, hint: '' }} />)
    fireEvent.change(screen.getByLabelText('Token'), { target: { value: 'tok_0123456789abcdef' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    const confirm = await screen.findByRole('button', { name: 'Store it anyway' })
    expect(screen.getByRole('alert').textContent).toContain('No system keyring')
    fireEvent.click(confirm)
    await waitFor(() =>
      expect(setSecret).toHaveBeenLastCalledWith({
        name: 'workerToken',
        value: 'tok_0123456789abcdef',
        acceptInsecureStorage: true,
      }),
    )
  })

  it('shows a configured secret only by its hint', () => {
    render(
      <SecretField
        name="callsAppSecret"
        label="App secret"
        help=""
        status={{ configured: true, hint: 'a0ZZ' }}
      />,
    )
    expect(screen.getByText('Configured (…a0ZZ)')).toBeTruthy()
  })
})
